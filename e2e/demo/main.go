// Command demo runs a full local dns-persist-01 issuance: it starts BIND 9
// and Pebble on loopback (see e2e/bed), registers an ACME account, obtains a
// certificate through lego-persist (creating the _validation-persist record
// once with an RFC 2136 update) and then obtains it again, which writes
// nothing to DNS. Run it with `make demo`.
package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	stdlog "log"
	"os"
	"os/signal"
	"time"

	legolog "github.com/go-acme/lego/v4/log"
	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
	"github.com/lego-persist/lego-persist/providers/persist"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if os.Getenv("DEMO_VERBOSE") == "" {
		legolog.Logger = stdlog.New(io.Discard, "", 0)
	}

	step("starting BIND 9 and Pebble on loopback")

	b, err := bed.Start(ctx, bed.Options{})
	if err != nil {
		return err
	}
	defer b.Close()

	fmt.Printf("  BIND  %s (zone %s, TSIG key %s)\n  Pebble %s\n", b.DNSAddr, b.Zone, b.TSIGKey, b.DirectoryURL)

	client, cfg, u, err := e2etest.NewClient(b.DirectoryURL, b.HTTPClient())
	if err != nil {
		return err
	}

	step("registering an ACME account")

	if err := e2etest.Register(client, u); err != nil {
		return err
	}

	fmt.Println("  account", u.Registration.URI)

	pub, err := e2etest.NewRFC2136(b)
	if err != nil {
		return err
	}

	err = persist.Enable(client, cfg, pub, e2etest.Loopback(b.DNSAddr, 30*time.Second, 50*time.Millisecond)...)
	if err != nil {
		return err
	}

	domain := e2etest.Domain(b, "www")
	recordName := e2etest.RecordName(domain)

	for i, what := range []string{"first issuance: no record yet", "renewal: record in place"} {
		step(what)

		before, err := b.SOASerial(ctx)
		if err != nil {
			return err
		}

		start := time.Now()

		res, err := e2etest.Obtain(client, domain)
		if err != nil {
			return err
		}

		elapsed := time.Since(start)

		after, err := b.SOASerial(ctx)
		if err != nil {
			return err
		}

		values, err := b.TXT(ctx, recordName)
		if err != nil {
			return err
		}

		if i == 0 {
			for _, v := range values {
				fmt.Printf("  record  %s IN TXT %q\n", recordName, v)
			}
		}

		fmt.Printf("  DNS writes: %d (SOA serial %d -> %d)\n", after-before, before, after)
		fmt.Printf("  certificate: %s\n", describe(res.Certificate))
		fmt.Printf("  took %s\n", elapsed.Round(time.Millisecond))
	}

	return nil
}

func step(s string) { fmt.Println("==>", s) }

func describe(chain []byte) string {
	block, _ := pem.Decode(chain)
	if block == nil {
		return "unparsable PEM"
	}

	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return err.Error()
	}

	return fmt.Sprintf("%v, serial %x, issued by %q, valid until %s",
		c.DNSNames, c.SerialNumber, c.Issuer.CommonName, c.NotAfter.Format(time.RFC3339))
}
