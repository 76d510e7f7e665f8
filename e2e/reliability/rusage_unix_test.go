//go:build unix

package reliability

import (
	"os"
	"runtime"
	"syscall"
)

// procStats is what the kernel measured of a finished child.
type procStats struct {
	// MaxRSSBytes is the peak resident set size.
	MaxRSSBytes int64
}

func stats(ps *os.ProcessState) *procStats {
	if ps == nil {
		return nil
	}

	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return nil
	}

	rss := int64(ru.Maxrss) //nolint:unconvert // int32 on some platforms.
	if runtime.GOOS != "darwin" {
		rss *= 1024 // kilobytes everywhere but macOS
	}

	return &procStats{MaxRSSBytes: rss}
}
