//go:build unix && !linux

package bed

import "syscall"

// setParentDeathSignal does nothing outside Linux: only Close stops the
// children there.
func setParentDeathSignal(*syscall.SysProcAttr) {}
