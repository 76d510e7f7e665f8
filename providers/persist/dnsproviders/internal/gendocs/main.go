// Command gendocs writes docs/providers.md from the provider registry; it is
// run by `go generate ./providers/persist/dnsproviders`.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/lego-persist/lego-persist/providers/persist/dnsproviders"
)

func main() {
	out := flag.String("o", "", "file to write (standard output when empty)")
	flag.Parse()

	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	var buf bytes.Buffer
	if err := dnsproviders.WriteMarkdown(&buf); err != nil {
		return err
	}

	if out == "" {
		_, err := os.Stdout.Write(buf.Bytes())
		return err
	}

	return os.WriteFile(out, buf.Bytes(), 0o644)
}
