// Package wait has the one context-aware sleep every waiting loop uses
// (propagation polls, authorization polls, renewal jitter, read-backs).
package wait

import (
	"context"
	"time"
)

// Sleep waits d, or less when ctx ends first; then it returns ctx.Err().
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()

	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
