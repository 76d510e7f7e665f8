package main

import (
	"fmt"
	"io"
	stdlog "log"
	"sync"

	"github.com/go-acme/lego/v4/log"
)

// lineWriter prints whole lines from many goroutines without interleaving.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()

	fmt.Fprintf(l.w, format+"\n", args...)
}

// quietLog silences lego's progress log (and the library's, which uses
// it): --quiet leaves only the command's own lines.
func quietLog() {
	log.Logger = stdlog.New(io.Discard, "", 0)
}
