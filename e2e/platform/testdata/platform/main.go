// Command platform is how a multi-tenant platform embeds lego-persist: a
// program of its own module that tells customers which record to publish
// and audits what they published, before ordering, through the public
// package providers/persist alone. The e2e test builds it outside the
// lego-persist module.
//
//	platform -dir URL -key account.key -account URL [-resolver host:port] records|check DOMAIN...
package main

import (
	"context"
	"crypto"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/go-acme/lego/v4/lego"
	"github.com/go-acme/lego/v4/registration"
	"github.com/lego-persist/lego-persist/providers/persist"
)

// customer is the platform's ACME account, as it keeps it in its own store.
type customer struct {
	key crypto.PrivateKey
	reg *registration.Resource
}

func (c *customer) GetEmail() string                        { return "" }
func (c *customer) GetRegistration() *registration.Resource { return c.reg }
func (c *customer) GetPrivateKey() crypto.PrivateKey        { return c.key }

func main() {
	dir := flag.String("dir", "", "ACME directory URL")
	keyFile := flag.String("key", "", "account key (PEM)")
	account := flag.String("account", "", "account URL")
	resolver := flag.String("resolver", "", "resolver host:port (checks go through it)")
	flag.Parse()

	if flag.NArg() < 2 {
		fmt.Fprintln(os.Stderr, "usage: platform -dir URL -key FILE -account URL [-resolver host:port] records|check DOMAIN...")
		os.Exit(2)
	}

	pemKey, err := os.ReadFile(*keyFile)
	if err != nil {
		fail(err)
	}

	key, err := certcrypto.ParsePEMPrivateKey(pemKey)
	if err != nil {
		fail(err)
	}

	cfg := lego.NewConfig(&customer{key: key, reg: &registration.Resource{URI: *account}}) // trusts LEGO_CA_CERTIFICATES, as lego
	cfg.CADirURL = *dir

	ctx := context.Background()
	domains := flag.Args()[1:]

	var out any

	switch flag.Arg(0) {
	case "records":
		out, err = persist.Records(ctx, cfg, domains)
	case "check":
		out, err = persist.Check(ctx, cfg, domains, persist.WithResolvers(*resolver), persist.WithAuthoritativeCheck(false))
	default:
		err = fmt.Errorf("unknown mode %q", flag.Arg(0))
	}

	if err != nil {
		fail(err)
	}

	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "platform:", err)
	os.Exit(1)
}
