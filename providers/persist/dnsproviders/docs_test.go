//go:build !light

package dnsproviders

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestDocsMatchRegistry runs in the full build only: docs/providers.md
// describes the full build's publishers.
func TestDocsMatchRegistry(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}

	onDisk, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "providers.md"))
	if err != nil {
		t.Fatalf("%v; run: go generate ./providers/persist/dnsproviders", err)
	}

	if !bytes.Equal(onDisk, buf.Bytes()) {
		t.Error("docs/providers.md differs from the registry; run: go generate ./providers/persist/dnsproviders")
	}
}
