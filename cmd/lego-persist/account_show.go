package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/lego-persist/lego-persist/internal/account"
	"github.com/lego-persist/lego-persist/internal/inventory"
	"github.com/lego-persist/lego-persist/internal/storage"
	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/urfave/cli/v2"
)

// accountView is 'account show --json'.
type accountView struct {
	URL          string             `json:"url"`
	CA           string             `json:"ca"`
	Draft        string             `json:"draft"`
	Status       string             `json:"status"`
	StatusDetail string             `json:"statusDetail,omitempty"`
	Contact      []string           `json:"contact,omitempty"`
	KeyType      string             `json:"keyType"`
	KeyFile      string             `json:"keyFile"`
	Thumbprint   string             `json:"thumbprint"`
	PriorKeys    []storage.PriorKey `json:"priorKeys,omitempty"`
	Records      []account.Implied  `json:"records"`
	// Domains are the records of --domains (persist.Records), when given.
	Domains     []persist.Record      `json:"domains,omitempty"`
	Deactivated *account.Deactivation `json:"deactivatedLocally,omitempty"`
	Inventory   string                `json:"inventory"`
	Recorded    int                   `json:"inventoryRecords"`
	Active      int                   `json:"inventoryActive"`
	PendingKey  string                `json:"pendingRolloverKey,omitempty"`
}

func accountShowAction(c *cli.Context) error {
	set, err := loadSettings(c)
	if err != nil {
		return err
	}

	s, err := openAccount(c, set)
	if err != nil {
		return err
	}

	pending, _, err := s.recover(c.Context, c.App.ErrWriter)
	if err != nil {
		return err
	}

	v, err := s.view(c.Context)
	if err != nil {
		return err
	}

	if pending != nil {
		v.PendingKey = s.store.NextKeyPath()
	}

	if len(set.domains) > 0 && v.Status == acme.StatusValid {
		if v.Domains, err = s.records(c, set.domains, defaultTTL); err != nil {
			return err
		}
	}

	if c.Bool(flgJSON) {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")

		return enc.Encode(v)
	}

	printView(c.App.Writer, v)

	return nil
}

func (s *accountSession) view(ctx context.Context) (*accountView, error) {
	tp, err := account.Thumbprint(s.key)
	if err != nil {
		return nil, err
	}

	v := &accountView{
		URL: s.url, CA: s.set.server, KeyType: keyTypeName(account.KeyType(s.key)), KeyFile: s.store.KeyPath(),
		Thumbprint: tp, Contact: s.acct.Registration.Body.Contact,
	}

	if v.Deactivated, err = account.Deactivated(s.store); err != nil {
		return nil, err
	}

	if v.PriorKeys, err = s.store.PriorKeys(); err != nil {
		return nil, err
	}

	meta, err := s.client.Meta(ctx)
	if err != nil {
		return nil, err
	}

	v.Draft = meta.Version().String()

	var issuers []string
	if s.set.issuer != "" {
		issuers = []string{s.set.issuer}
	}

	if v.Records, err = account.ImpliedRecords(meta, issuers, s.url, tp); err != nil {
		return nil, fmt.Errorf("%s: %w", s.set.server, err)
	}

	remote, err := s.client.Status(ctx, s.url, s.key)

	var prob *acme.ProblemDetails

	switch {
	case err == nil:
		v.Status = remote.Status
		if len(remote.Contact) > 0 || remote.Status != "" {
			v.Contact = remote.Contact
		}
	case errors.As(err, &prob) && strings.Contains(strings.ToLower(prob.Detail), "deactivated"):
		v.Status, v.StatusDetail = acme.StatusDeactivated, prob.Detail
	case errors.As(err, &prob):
		v.Status, v.StatusDetail = "unknown", prob.Type+": "+prob.Detail
	default:
		return nil, err
	}

	inv, err := inventory.Open(s.set.path, s.set.server, s.set.email)
	if err != nil {
		return nil, err
	}

	entries, err := inv.List()
	if err != nil {
		return nil, err
	}

	v.Inventory, v.Recorded = inv.Path(), len(entries)

	for _, e := range entries {
		if e.Active() {
			v.Active++
		}
	}

	return v, nil
}

// keyTypeName is the --key-type name of kt ("ec256" for certcrypto.EC256).
func keyTypeName(kt certcrypto.KeyType) string {
	for name, t := range keyTypes {
		if t == kt {
			return name
		}
	}

	return string(kt)
}

func printView(w io.Writer, v *accountView) {
	fmt.Fprintf(w, "Account:     %s\n", v.URL)
	fmt.Fprintf(w, "CA:          %s (%s)\n", v.CA, v.Draft)

	status := v.Status + " (as the CA reports it)"
	if v.StatusDetail != "" {
		status = v.Status + ": " + v.StatusDetail
	}

	fmt.Fprintf(w, "Status:      %s\n", status)

	if v.Deactivated != nil {
		fmt.Fprintf(w, "             deactivated with lego-persist at %s\n", v.Deactivated.At.Format(time.RFC3339))
	}

	if len(v.Contact) > 0 {
		fmt.Fprintf(w, "Contact:     %s\n", strings.Join(v.Contact, ", "))
	}

	fmt.Fprintf(w, "Key:         %s, %s\n", v.KeyType, v.KeyFile)
	fmt.Fprintf(w, "Thumbprint:  %s (RFC 7638)\n", v.Thumbprint)

	for _, p := range v.PriorKeys {
		fmt.Fprintf(w, "Prior key:   %s (%s, replaced %s)\n", p.Thumbprint, p.KeyType, p.Retired.Format(time.RFC3339))
	}

	if v.PendingKey != "" {
		fmt.Fprintf(w, "Pending:     %s: an interrupted rollover's key the CA has not taken; run 'account rollover'\n", v.PendingKey)
	}

	fmt.Fprintf(w, "Inventory:   %d record(s), %d standing, in %s\n", v.Recorded, v.Active, v.Inventory)

	if v.Draft == "draft-02" {
		fmt.Fprintln(w, "Records:     draft-02, any-domain form (one value for every domain, linkable; -d DOMAIN prints per-domain values):")
	} else {
		fmt.Fprintln(w, "Records:     the value at _validation-persist.<domain> for any domain:")
	}

	for _, r := range v.Records {
		fmt.Fprintf(w, "  %s\n", r.Value)
	}

	if len(v.Domains) > 0 {
		fmt.Fprintln(w, "Records of --domains:")
	}

	for _, r := range v.Domains {
		fmt.Fprintf(w, "  %s\n", r.ZoneLine)
	}
}
