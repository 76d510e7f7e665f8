// Command testbed starts the lego-persist end-to-end test bed (Pebble and
// BIND 9 named on loopback, see package e2e/bed), prints its addresses as
// shell export lines and runs until interrupted:
//
//	go run ./e2e/bed/cmd/testbed > /tmp/bed.env &   # or in another terminal
//	. /tmp/bed.env
//	lego-persist --server "$LEGO_SERVER" ... --dns-persist rfc2136 -d a.persist.test run
//
// The output holds the bed's TSIG secret: it is a throwaway key that only
// works against this bed's named, and it is gone when the bed stops.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "testbed:", err)
		os.Exit(1)
	}
}

func run() error {
	zone := flag.String("zone", bed.DefaultZone, "zone named serves")
	issuers := flag.String("issuers", bed.DefaultIssuerDomain, "Pebble's issuer domain names (comma-separated)")
	keep := flag.Bool("keep", false, "keep the state directory (configs, logs) after stopping")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	began := time.Now()

	b, err := bed.Start(ctx, bed.Options{
		Zone:          *zone,
		CAAIdentities: strings.Split(*issuers, ","),
		KeepDir:       *keep,
		Logf: func(format string, args ...any) {
			fmt.Fprintf(os.Stderr, "# "+format+"\n", args...)
		},
	})
	if err != nil {
		return err
	}
	defer b.Close()

	fmt.Fprintf(os.Stderr, "# test bed up in %s: %s\n", time.Since(began).Round(time.Millisecond), b)

	fmt.Printf("# lego-persist test bed; state in %s\n", b.Dir)
	for _, kv := range b.Env() {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Printf("export %s=%s\n", k, shellQuote(v))
	}

	fmt.Printf("export BED_DNS_ADDR=%s\n", shellQuote(b.DNSAddr))
	fmt.Printf("export BED_ZONE=%s\n", shellQuote(b.Zone))
	fmt.Printf("export BED_ISSUER_DOMAINS=%s\n", shellQuote(strings.Join(b.IssuerDomains, ",")))
	fmt.Printf("export BED_MANAGEMENT_URL=%s\n", shellQuote(b.ManagementURL))
	fmt.Printf("export BED_QUERY_LOG=%s\n", shellQuote(b.QueryLogPath))
	fmt.Printf("# dig @127.0.0.1 -p %s %s SOA\n", b.DNSAddr[strings.LastIndexByte(b.DNSAddr, ':')+1:], b.Zone)
	fmt.Println("# Ctrl-C stops the bed.")

	<-ctx.Done()
	fmt.Fprintln(os.Stderr, "# stopping")

	return b.Close()
}

// shellQuote quotes s for POSIX sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
