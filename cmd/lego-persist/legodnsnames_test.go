package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestLegoDNSNamesAreLegos reads the case labels of lego's
// NewDNSChallengeProviderByName (the module go.mod pins) and compares them
// with legoDNSNames, so the light build refuses exactly lego's names.
func TestLegoDNSNamesAreLegos(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "github.com/go-acme/lego/v4/providers/dns").Output()
	if err != nil {
		t.Fatalf("go list lego's providers/dns: %v", err)
	}

	dir := strings.TrimSpace(string(out))

	file, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, "zz_gen_dns_providers.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}

	var names []string

	ast.Inspect(file, func(n ast.Node) bool {
		fn, ok := n.(*ast.FuncDecl)
		if ok && fn.Name.Name != "NewDNSChallengeProviderByName" {
			return false
		}

		if cc, ok := n.(*ast.CaseClause); ok {
			for _, e := range cc.List {
				if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}

					names = append(names, s)
				}
			}
		}

		return true
	})

	if len(names) < 100 {
		t.Fatalf("found %d names in lego's factory; did its source layout change?", len(names))
	}

	slices.Sort(names)

	if !slices.Equal(names, legoDNSNames) {
		t.Errorf("legoDNSNames differs from lego's factory:\nlego: %q\nours: %q", names, legoDNSNames)
	}
}
