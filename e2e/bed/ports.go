package bed

import (
	"context"
	"errors"
	"fmt"
	"net"
)

// freePort returns a loopback port that was free for TCP (and, with udp,
// also for UDP) a moment ago. Another process may still take it before the
// child binds it: Start retries with fresh ports when a child fails to come
// up.
func freePort(ctx context.Context, udp bool) (int, error) {
	var lc net.ListenConfig

	for range 20 {
		ln, err := lc.Listen(ctx, "tcp4", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("find a free loopback port: %w", err)
		}

		port := ln.Addr().(*net.TCPAddr).Port

		if !udp {
			_ = ln.Close()
			return port, nil
		}

		pc, err := lc.ListenPacket(ctx, "udp4", fmt.Sprintf("127.0.0.1:%d", port))
		_ = ln.Close()

		if err == nil {
			_ = pc.Close()
			return port, nil
		}
	}

	return 0, errors.New("find a free loopback port: no port free for both TCP and UDP after 20 tries")
}
