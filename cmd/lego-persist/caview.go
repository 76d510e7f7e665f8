package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/go-acme/lego/v4/log"
	"github.com/lego-persist/lego-persist/internal/draft"
	"github.com/urfave/cli/v2"
)

// fetchMeta reads the dns-persist-01 parts of the CA's directory.
func fetchMeta(ctx context.Context, httpClient *http.Client, dirURL, ua string) (draft.Meta, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, dirURL, nil)
	if err != nil {
		return draft.Meta{}, fmt.Errorf("directory %s: %w", dirURL, err)
	}

	req.Header.Set("User-Agent", ua)

	resp, err := httpClient.Do(req)
	if err != nil {
		return draft.Meta{}, fmt.Errorf("directory %s: %w", dirURL, err)
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return draft.Meta{}, fmt.Errorf("directory %s: %w", dirURL, err)
	}

	if resp.StatusCode != http.StatusOK {
		return draft.Meta{}, fmt.Errorf("directory %s: HTTP %s", dirURL, resp.Status)
	}

	meta, err := draft.ParseDirectory(body)
	if err != nil {
		return draft.Meta{}, fmt.Errorf("directory %s: %w", dirURL, err)
	}

	return meta, nil
}

// caView is what record, check and remove know about the CA and account
// without ordering: the draft, the issuers, the account.
type caView struct {
	meta    draft.Meta
	issuers []string
	acct    draft.Account
}

// loadCAView reads the directory and the stored account (which must be
// registered: its URL is what the record authorizes).
func loadCAView(c *cli.Context, set *settings) (*caView, *session, error) {
	sess, err := openSession(c, set, false)
	if err != nil {
		return nil, nil, err
	}

	if !sess.account.Registered() {
		return nil, nil, fmt.Errorf("account %s at %s is not registered yet: run 'lego-persist ... run' first", userID(set.email), set.server)
	}

	meta, err := fetchMeta(c.Context, sess.cfg.HTTPClient, set.server, sess.cfg.UserAgent)
	if err != nil {
		return nil, nil, err
	}

	logDraft(set.server, meta)

	issuers := meta.Issuers()
	if set.issuer != "" {
		if len(issuers) > 0 && !contains(issuers, set.issuer) {
			log.Warnf("--%s %s is not among the CA's issuer names %q; the CA may not offer it", flgPersistIssuer, set.issuer, issuers)
		}

		issuers = []string{set.issuer}
	}

	if len(issuers) == 0 {
		return nil, nil, fmt.Errorf("the directory of %s names no issuer-domain-names (meta.caaIdentities); pass --%s", set.server, flgPersistIssuer)
	}

	thumb, err := draft.Thumbprint(sess.account.GetPrivateKey())
	if err != nil {
		return nil, nil, err
	}

	return &caView{meta: meta, issuers: issuers, acct: draft.Account{URL: sess.account.Registration.URI, Thumbprint: thumb}}, sess, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}

	return false
}

// logDraft says which draft the directory announces, for debugging.
func logDraft(server string, meta draft.Meta) {
	if meta.Version() != draft.Draft02 {
		log.Infof("%s: directory without accountHashPrefix: records hold the account URL (draft-00/draft-01)", server)
		return
	}

	log.Infof("%s: CA speaks draft-02 (accountHashPrefix %s, issuerDomainNames %q)",
		server, meta.AccountHashPrefix, meta.IssuerDomainNames)

	if meta.IssuerNamesNote != "" {
		log.Warnf("%s: %s", server, meta.IssuerNamesNote)
	}
}
