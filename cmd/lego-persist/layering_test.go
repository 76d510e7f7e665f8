package main

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"
)

// The CLI is a thin layer over the library: it imports none of the
// packages of the record format, the drafts, DNS or the audit (PRODUCT.md
// §1); what it needs of them, providers/persist exports.
func TestCLIImportsNoRecordDraftDNSOrAuditPackage(t *testing.T) {
	forbidden := map[string]bool{
		"github.com/lego-persist/lego-persist/internal/record": true,
		"github.com/lego-persist/lego-persist/internal/draft":  true,
		"github.com/lego-persist/lego-persist/internal/dnsq":   true,
		"github.com/lego-persist/lego-persist/internal/audit":  true,
	}

	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files (%v)", err)
	}

	for _, f := range files {
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}

		for _, imp := range ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if forbidden[path] {
				t.Errorf("%s imports %s; use providers/persist instead", f, path)
			}
		}
	}
}
