package main

import (
	"fmt"
	"io"
	"sync"
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
