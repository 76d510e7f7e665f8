package audit

import (
	"fmt"
	"strings"

	"github.com/lego-persist/lego-persist/internal/draft"
	"github.com/lego-persist/lego-persist/internal/record"
)

// Class says whose a TXT value at a record name is and which CAs it serves,
// seen from one CA and one account.
type Class string

// Classes of a value.
const (
	// ClassThisCA: one of this CA's issuer names and this account, in the
	// accounturi form this CA's draft checks. Its Status says whether the
	// CA accepts it (it may still be expired or lack policy=wildcard).
	ClassThisCA Class = "this-ca"
	// ClassOtherDraft: one of this CA's issuer names and this account, but
	// in another draft's accounturi form: the raw account URL (draft-00 and
	// draft-01 CAs) at a draft-02 CA, or a hashed value (draft-02 CAs) at a
	// draft-00/01 CA. It serves CAs of that draft, not this one.
	ClassOtherDraft Class = "other-draft"
	// ClassPriorKey: this account's draft-02 value at this CA, hashed with
	// one of the account's earlier keys (see draft.Account.PriorThumbprints).
	// The CA keeps accepting it until the account is deactivated
	// (draft-02 §4.2); republishing with the current key is recommended.
	ClassPriorKey Class = "prior-key"
	// ClassOtherAccount: one of this CA's issuer names, another accounturi.
	ClassOtherAccount Class = "other-account"
	// ClassOtherCA: an issuer name this CA does not use.
	ClassOtherCA Class = "other-ca"
	// ClassMalformed: names one of this CA's issuers but does not parse as a
	// record (or spells the issuer differently from the CA).
	ClassMalformed Class = "malformed"
)

// Forms of this account's accounturi (RecordInfo.Form).
const (
	FormAccountURL = "account-url" // draft-00 and draft-01: the account URL itself
	FormExact      = "exact"       // draft-02 hashed, bound to the domain
	FormAnyDomain  = "any-domain"  // draft-02 hashed with D = "*"
)

// RecordInfo describes one TXT value found at a record name.
type RecordInfo struct {
	// Value is the TXT value (the RR's strings joined).
	Value string `json:"value"`
	// Issuer is the value's issuer-domain-name field ("" when there is none).
	Issuer string `json:"issuer,omitempty"`
	Class  Class  `json:"class"`
	// Draft is the draft whose CAs accept the value for this account:
	// "draft-01" for the account URL (draft-00 CAs accept it too),
	// "draft-02" for a hashed value; "" when it is not this account's.
	Draft string `json:"draft,omitempty"`
	// Form is FormAccountURL, FormExact or FormAnyDomain for this account's
	// values; "" otherwise.
	Form string `json:"form,omitempty"`
	// Status is how this CA judges the value alone, with the statuses of
	// record.Evaluate (ok, expired, no-wildcard-policy, wrong-account,
	// malformed, wrong-issuer).
	Status Status `json:"status"`
	// Serves says for people which CA and draft the value serves.
	Serves string `json:"serves"`
}

// classifier classifies the values at one record name.
type classifier struct {
	meta   draft.Meta
	acct   draft.Account
	domain string // normalized, without "*."
	want   record.Want
}

func (c *classifier) classify(raw string) RecordInfo {
	info := RecordInfo{Value: raw, Status: record.Evaluate([]string{raw}, c.want).Status}

	issuer, _, _ := strings.Cut(raw, ";")
	info.Issuer = strings.Trim(issuer, " \t")

	if info.Status == StatusWrongIssuer {
		info.Class = ClassOtherCA
		info.Serves = fmt.Sprintf("another CA (issuer %q)", info.Issuer)

		return info
	}

	if info.Status == StatusMalformed {
		info.Class = ClassMalformed
		info.Serves = "no CA: it does not parse as a dns-persist-01 record for this CA"

		return info
	}

	v, err := record.Parse(raw)
	if err != nil { // Evaluate parsed it; kept for safety.
		info.Class, info.Serves = ClassMalformed, "no CA: "+err.Error()
		return info
	}

	caVersion := c.meta.Version()
	draftName, form, prior := c.accountForm(v.AccountURI)

	// Accepted: the CA takes the accounturi as this account's.
	accepted := info.Status == StatusOK || info.Status == StatusExpired || info.Status == StatusNoWildcard

	switch {
	case accepted && prior:
		info.Class, info.Draft, info.Form = ClassPriorKey, c.servedDraft(caVersion), form
		info.Serves = fmt.Sprintf("this CA (%s, %s form, made with an earlier account key: accepted until the account is deactivated; republishing with the current key is recommended)", caVersion, form)
	case accepted:
		info.Class, info.Draft, info.Form = ClassThisCA, c.servedDraft(caVersion), form
		info.Serves = fmt.Sprintf("this CA (%s)", caVersion)

		if form != "" {
			info.Serves = fmt.Sprintf("this CA (%s, %s form)", caVersion, form)
		}
	case form == "":
		info.Class = ClassOtherAccount
		info.Serves = "another account at this CA"

		if caVersion == draft.Draft02 && isHashedUnder(v.AccountURI, c.meta.AccountHashPrefix) {
			info.Serves += " (or this account's, hashed with a key this --path has no record of: the CA would still accept it)"
		}
	default:
		info.Class, info.Draft, info.Form = ClassOtherDraft, draftName, form
		info.Serves = fmt.Sprintf("%s CAs with this account, not this %s CA", servesCAs(draftName, v.AccountURI), caVersion)
	}

	return info
}

// servedDraft is the name RecordInfo.Draft carries for values this CA's
// version accepts.
func (c *classifier) servedDraft(v draft.Version) string {
	if v == draft.Draft02 {
		return draft.Draft02.String()
	}

	return draft.Draft01.String()
}

func servesCAs(draftName, uri string) string {
	if draftName == draft.Draft02.String() {
		prefix, _, _ := record.SplitHashedAccountURI(uri)
		return fmt.Sprintf("draft-02 (accountHashPrefix %s)", prefix)
	}

	return "draft-00 and draft-01"
}

// accountForm recognizes uri as one of this account's accounturi forms in
// any draft, whatever the CA speaks: the account URL (draft-01) or a hashed
// value (draft-02), exact or any-domain, under the prefix the value itself
// carries, of the current key or (prior) of an earlier one.
func (c *classifier) accountForm(uri string) (draftName, form string, prior bool) {
	if c.acct.URL == "" {
		return "", "", false
	}

	if uri == c.acct.URL {
		return draft.Draft01.String(), FormAccountURL, false
	}

	prefix, _, ok := record.SplitHashedAccountURI(uri)
	if !ok || c.acct.Thumbprint == "" {
		return "", "", false
	}

	for i, tp := range append([]string{c.acct.Thumbprint}, c.acct.PriorThumbprints...) {
		for _, f := range []struct {
			d    string
			form string
		}{{c.domain, FormExact}, {"*", FormAnyDomain}} {
			h, err := record.HashAccountURI(prefix, f.d, tp, c.acct.URL)
			if err == nil && h == uri {
				return draft.Draft02.String(), f.form, i > 0
			}
		}
	}

	return "", "", false
}

func isHashedUnder(uri, prefix string) bool {
	p, _, ok := record.SplitHashedAccountURI(uri)
	return ok && prefix != "" && p == prefix
}
