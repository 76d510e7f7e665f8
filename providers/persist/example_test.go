package persist_test

import (
	"context"
	"fmt"
	"log"

	"github.com/lego-persist/lego-persist/providers/persist"
)

// A platform tells its customers what to publish, before any order: the
// records come from the CA's directory and the registered account alone.
func Example_records() {
	cfg, stop := standinCA() // a registered account's lego config
	defer stop()

	recs, err := persist.Records(context.Background(), cfg, []string{"customer1.example", "*.customer2.example"})
	if err != nil {
		log.Fatal(err)
	}

	for _, r := range recs {
		fmt.Println(r.ZoneLine)
	}

	// Output:
	// _validation-persist.customer1.example. 3600 IN TXT "ca.example; accounturi=https://example.com/acct/1"
	// _validation-persist.customer2.example. 3600 IN TXT "ca.example; accounturi=https://example.com/acct/1; policy=wildcard"
}

// Before ordering, the platform audits what its customers published, with
// the verdicts the CA will reach.
func Example_check() {
	cfg, stop := standinCA()
	defer stop()

	resolver, stopDNS := standinResolver(map[string]string{
		"_validation-persist.customer1.example.": "ca.example; accounturi=https://example.com/acct/1",
		"_validation-persist.customer2.example.": "ca.example; accounturi=https://example.com/acct/2",
	})
	defer stopDNS()

	findings, err := persist.Check(context.Background(), cfg,
		[]string{"customer1.example", "customer2.example", "customer3.example"},
		persist.WithResolvers(resolver), persist.WithAuthoritativeCheck(false))
	if err != nil {
		log.Fatal(err)
	}

	for _, f := range findings {
		fmt.Println(f.Domain, f.Status)
	}

	// Output:
	// customer1.example ok
	// customer2.example wrong-account
	// customer3.example missing
}
