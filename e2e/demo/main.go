// Command demo runs a full local dns-persist-01 issuance: it starts BIND 9
// and Pebble on loopback (see e2e/bed), registers an ACME account, obtains a
// certificate through lego-persist (creating the _validation-persist record
// once with an RFC 2136 update) and then obtains it again, which writes
// nothing to DNS. Run it with `make demo`.
package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	stdlog "log"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/certificate"
	"github.com/go-acme/lego/v4/lego"
	legolog "github.com/go-acme/lego/v4/log"
	"github.com/go-acme/lego/v4/registration"
	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/lego-persist/lego-persist/providers/persist/rfc2136"
)

type user struct {
	key crypto.PrivateKey
	reg *registration.Resource
}

func (u *user) GetEmail() string                        { return "" }
func (u *user) GetRegistration() *registration.Resource { return u.reg }
func (u *user) GetPrivateKey() crypto.PrivateKey        { return u.key }

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

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}

	u := &user{key: key}
	cfg := lego.NewConfig(u)
	cfg.CADirURL = b.DirectoryURL
	cfg.HTTPClient = b.HTTPClient()

	client, err := lego.NewClient(cfg)
	if err != nil {
		return err
	}

	step("registering an ACME account")

	if u.reg, err = client.Registration.Register(registration.RegisterOptions{TermsOfServiceAgreed: true}); err != nil {
		return err
	}

	fmt.Println("  account", u.reg.URI)

	pcfg := rfc2136.NewDefaultConfig()
	pcfg.Nameserver, pcfg.TSIGKey, pcfg.TSIGSecret, pcfg.TSIGAlgorithm = b.DNSAddr, b.TSIGKey, b.TSIGSecret, b.TSIGAlgorithm

	pub, err := rfc2136.NewDNSProviderConfig(pcfg)
	if err != nil {
		return err
	}

	err = persist.Enable(client, cfg, pub,
		persist.WithResolvers(b.DNSAddr), persist.WithAuthoritativeCheck(false),
		persist.WithPropagationTimeout(30*time.Second, 50*time.Millisecond))
	if err != nil {
		return err
	}

	domain := "www." + strings.TrimSuffix(b.Zone, ".")
	recordName := "_validation-persist." + domain + "."

	for i, what := range []string{"first issuance: no record yet", "renewal: record in place"} {
		step(what)

		before, err := b.SOASerial(ctx)
		if err != nil {
			return err
		}

		start := time.Now()

		res, err := client.Certificate.Obtain(certificate.ObtainRequest{Domains: []string{domain}, Bundle: true})
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
