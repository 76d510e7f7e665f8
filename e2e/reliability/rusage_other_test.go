//go:build !unix

package reliability

import "os"

type procStats struct{ MaxRSSBytes int64 }

func stats(*os.ProcessState) *procStats { return nil }
