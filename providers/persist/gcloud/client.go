package gcloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/libdns/libdns"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/lego-persist/lego-persist/internal/record"
	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
)

// DefaultAPIURL is the base URL of the Cloud DNS v1 REST API.
const DefaultAPIURL = "https://dns.googleapis.com/dns/v1"

// Scope is the OAuth 2.0 scope the access token must carry.
const Scope = "https://www.googleapis.com/auth/ndev.clouddns.readwrite"

// client talks to the Cloud DNS v1 REST API with a bearer token. It
// implements libdns.RecordAppender and libdns.RecordDeleter for TXT
// records, adding or removing one value of a record set at a time.
type client struct {
	http         *http.Client
	base         string // DefaultAPIURL or the configured one, no trailing slash
	zoneID       string // managed zone name given by the user (GCE_ZONE_ID), or ""
	allowPrivate bool

	// findDefault looks for the Application Default Credentials; ready
	// calls it when no token source was configured.
	findDefault func() (*google.Credentials, error)

	mu        sync.Mutex
	project   string             // "" until ready finds it in the default credentials
	tokens    oauth2.TokenSource // nil until ready finds the default credentials
	zones     map[string]string  // zone DNS name ("example.com.") → managed zone name
	lastToken string             // scrubbed from error texts
}

// rrset is a Cloud DNS ResourceRecordSet (TXT only here). Rrdatas are in
// zone-file presentation format: one or more quoted character-strings per
// record.
type rrset struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	TTL     int64    `json:"ttl"`
	Rrdatas []string `json:"rrdatas"`

	// RoutingPolicy is set on geo and weighted record sets, which have no
	// plain rrdatas to add a value to.
	RoutingPolicy json.RawMessage `json:"routingPolicy,omitempty"`
}

// change is a Cloud DNS Change: the deletions and additions are applied
// together, and only if every deletion matches the current record set
// exactly (name, type, TTL and rrdatas).
type change struct {
	Additions []rrset `json:"additions,omitempty"`
	Deletions []rrset `json:"deletions,omitempty"`
}

func (c *client) AppendRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	for _, r := range recs {
		rr := r.RR()
		if rr.Type != "TXT" {
			return nil, fmt.Errorf("record type %s is not supported", rr.Type)
		}

		ttl := int64(rr.TTL / time.Second)

		if err := c.update(ctx, zone, rr.Name, ttl, func(datas []string) ([]string, bool) {
			for _, d := range datas {
				if v, ok := record.Unquote(d); ok && v == rr.Data {
					return nil, false // already there
				}
			}

			return append(datas, record.Quote(rr.Data)), true
		}); err != nil {
			return nil, err
		}
	}

	return recs, nil
}

func (c *client) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	for _, r := range recs {
		rr := r.RR()
		if rr.Type != "TXT" || rr.Data == "" {
			return nil, errors.New("only one TXT value at a time can be deleted")
		}

		if err := c.update(ctx, zone, rr.Name, 0, func(datas []string) ([]string, bool) {
			keep := make([]string, 0, len(datas))
			for _, d := range datas {
				// An rrdata we cannot parse is not ours: keep it.
				if v, ok := record.Unquote(d); !ok || v != rr.Data {
					keep = append(keep, d)
				}
			}

			return keep, len(keep) != len(datas)
		}); err != nil {
			return nil, err
		}
	}

	return recs, nil
}

// update reads the TXT record set at name, lets edit compute its new
// rrdatas from the current ones, and applies one change that deletes the
// set as read and adds the new one. Cloud DNS refuses the change (412, or
// 409 when a set was created meanwhile) if the set is no longer what was
// read, so a concurrent writer's value is never lost: then it reads and
// tries once more. An empty result deletes the set; a new set gets ttl,
// an existing one keeps its own.
func (c *client) update(ctx context.Context, zone, relName string, ttl int64, edit func([]string) ([]string, bool)) error {
	if err := c.ready(ctx); err != nil {
		return err
	}

	mz, err := c.managedZone(ctx, zone)
	if err != nil {
		return err
	}

	name := libdns.AbsoluteName(relName, zone)

	for attempt := 1; ; attempt++ {
		old, err := c.readSet(ctx, mz, name)
		if err != nil {
			return err
		}

		var current []string
		if old != nil {
			current = append(current, old.Rrdatas...)
		}

		datas, write := edit(current)
		if !write {
			return nil
		}

		var ch change

		setTTL := ttl
		if old != nil {
			ch.Deletions = []rrset{*old}
			setTTL = old.TTL
		}

		if len(datas) > 0 {
			ch.Additions = []rrset{{Name: name, Type: "TXT", TTL: setTTL, Rrdatas: datas}}
		}

		err = c.apply(ctx, mz, ch)

		if !conflict(err) {
			return err
		}

		if attempt == 2 {
			return fmt.Errorf("the record set changed while it was being updated, twice (try again): %w", err)
		}
	}
}

// ready makes sure the token source and the project are known. Without a
// configured token source or key, it looks for the Application Default
// Credentials on first use rather than when the publisher is built, since
// that may ask the metadata server; ctx bounds the wait. A failed lookup
// is tried again on the next call.
func (c *client) ready(ctx context.Context) error {
	c.mu.Lock()
	ok := c.tokens != nil
	c.mu.Unlock()

	if ok {
		return nil
	}

	type result struct {
		creds *google.Credentials
		err   error
	}

	found := make(chan result, 1)

	go func() {
		creds, err := c.findDefault()
		found <- result{creds, err}
	}()

	var r result

	select {
	case r = <-found:
	case <-ctx.Done():
		return fmt.Errorf("looking for the Application Default Credentials: %w", ctx.Err())
	}

	if r.err != nil {
		return fmt.Errorf("no %s or %s, and no Application Default Credentials: %w",
			EnvServiceAccountFile, EnvServiceAccount, r.err)
	}

	c.mu.Lock()
	defer c.mu.Unlock()

	if c.project == "" {
		c.project = r.creds.ProjectID
	}

	if c.project == "" {
		return errors.New("the project is missing: set " + EnvProject +
			" (the Application Default Credentials name none)")
	}

	if c.tokens == nil {
		c.tokens = r.creds.TokenSource
	}

	return nil
}

func (c *client) projectID() string {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.project
}

// managedZone returns the name of the managed zone serving zone: the
// configured one, or the first public zone (private too when allowed)
// whose DNS name is zone. Found names are remembered.
func (c *client) managedZone(ctx context.Context, zone string) (string, error) {
	if c.zoneID != "" {
		return c.zoneID, nil
	}

	c.mu.Lock()
	mz, ok := c.zones[zone]
	c.mu.Unlock()

	if ok {
		return mz, nil
	}

	var visible []string

	q := url.Values{"dnsName": {zone}}

	for page := 0; ; page++ {
		var list struct {
			ManagedZones []struct {
				Name       string `json:"name"`
				DNSName    string `json:"dnsName"`
				Visibility string `json:"visibility"`
			} `json:"managedZones"`
			NextPageToken string `json:"nextPageToken"`
		}

		if err := c.getJSON(ctx, c.projectURL()+"/managedZones?"+q.Encode(), &list); err != nil {
			return "", fmt.Errorf("listing the managed zones named %s in project %s: %w", zone, c.projectID(), err)
		}

		for _, z := range list.ManagedZones {
			if !strings.EqualFold(z.DNSName, zone) {
				continue
			}

			visible = append(visible, z.Visibility)

			if z.Visibility == "public" || z.Visibility == "" || (z.Visibility == "private" && c.allowPrivate) {
				c.mu.Lock()
				c.zones[zone] = z.Name
				c.mu.Unlock()

				return z.Name, nil
			}
		}

		if list.NextPageToken == "" || page == 9 {
			break
		}

		q.Set("pageToken", list.NextPageToken)
	}

	if len(visible) > 0 {
		return "", fmt.Errorf("project %s has only a private managed zone for %s (set %s=true to use it)",
			c.projectID(), zone, EnvAllowPrivateZone)
	}

	return "", fmt.Errorf("project %s has no managed zone for %s (check %s, or set %s to the zone)",
		c.projectID(), zone, EnvProject, EnvZoneID)
}

// zoneOf returns the DNS name of the configured managed zone; it is the
// adapter's zone finder when GCE_ZONE_ID is set and GCE_ZONE is not.
func (c *client) zoneOf(ctx context.Context, _ string) (string, error) {
	if err := c.ready(ctx); err != nil {
		return "", err
	}

	var z struct {
		DNSName string `json:"dnsName"`
	}

	if err := c.getJSON(ctx, c.projectURL()+"/managedZones/"+url.PathEscape(c.zoneID), &z); err != nil {
		return "", fmt.Errorf("reading managed zone %s in project %s: %w", c.zoneID, c.projectID(), err)
	}

	if z.DNSName == "" {
		return "", fmt.Errorf("managed zone %s in project %s has no DNS name", c.zoneID, c.projectID())
	}

	return z.DNSName, nil
}

// readSet returns the TXT record set at name, or nil when there is none.
func (c *client) readSet(ctx context.Context, mz, name string) (*rrset, error) {
	q := url.Values{"name": {name}, "type": {"TXT"}}

	var list struct {
		Rrsets []rrset `json:"rrsets"`
	}

	if err := c.getJSON(ctx, c.zoneURL(mz)+"/rrsets?"+q.Encode(), &list); err != nil {
		return nil, fmt.Errorf("reading the record set: %w", err)
	}

	for _, s := range list.Rrsets {
		if s.Type != "TXT" || !strings.EqualFold(s.Name, name) {
			continue
		}

		if len(s.RoutingPolicy) > 0 && string(s.RoutingPolicy) != "null" {
			return nil, errors.New("the TXT record set has a routing policy, which this provider cannot update")
		}

		return &s, nil
	}

	return nil, nil
}

// apply creates the change. Cloud DNS applies it atomically; "pending"
// only means it is still reaching the name servers, which the caller's
// propagation check covers, so it is not polled.
func (c *client) apply(ctx context.Context, mz string, ch change) error {
	body, err := json.Marshal(ch)
	if err != nil {
		return err
	}

	status, respBody, err := c.do(ctx, http.MethodPost, c.zoneURL(mz)+"/changes", body)
	if err != nil {
		return fmt.Errorf("writing the record set: %w", err)
	}

	if status != http.StatusOK {
		return fmt.Errorf("writing the record set: %w", c.apiErrorOf(status, respBody))
	}

	return nil
}

func (c *client) projectURL() string {
	return c.base + "/projects/" + url.PathEscape(c.projectID())
}

func (c *client) zoneURL(mz string) string {
	return c.projectURL() + "/managedZones/" + url.PathEscape(mz)
}

// getJSON GETs u and decodes a 200 response into v.
func (c *client) getJSON(ctx context.Context, u string, v any) error {
	status, body, err := c.do(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}

	if status != http.StatusOK {
		return c.apiErrorOf(status, body)
	}

	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decoding the response: %w", err)
	}

	return nil
}

// do sends one authorized request and reads the response.
func (c *client) do(ctx context.Context, method, u string, body []byte) (int, []byte, error) {
	tok, err := c.token()
	if err != nil {
		return 0, nil, err
	}

	resp, err := httpapi.Do(ctx, c.http, httpapi.Request{Method: method, URL: u, Token: tok, Body: body})
	if err != nil {
		return 0, nil, err
	}

	return resp.StatusCode, resp.Body, nil
}

// token returns an access token from the token source (which caches it).
func (c *client) token() (string, error) {
	c.mu.Lock()
	tokens := c.tokens
	c.mu.Unlock()

	tok, err := tokens.Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil {
			// RetrieveError's text quotes the whole response body: keep
			// only the OAuth 2.0 error code and description (RFC 6749 §5.2).
			e := &httpapi.StatusError{Status: re.Response.StatusCode, Code: re.ErrorCode, Message: re.ErrorDescription}

			if e.Code == "" {
				// The JWT flow leaves the body unparsed.
				var body struct {
					Error       string `json:"error"`
					Description string `json:"error_description"`
				}

				if json.Unmarshal(re.Body, &body) == nil {
					e.Code, e.Message = body.Error, body.Description
				}
			}

			return "", fmt.Errorf("getting an access token: %w", e)
		}

		// Other errors (no credentials, a malformed key) do not quote the
		// key; they can be long, the adapter cuts them.
		return "", fmt.Errorf("getting an access token: %w", err)
	}

	if tok.AccessToken == "" {
		return "", errors.New("getting an access token: the token source returned an empty token")
	}

	c.mu.Lock()
	c.lastToken = tok.AccessToken
	c.mu.Unlock()

	return tok.AccessToken, nil
}

// conflict reports a change refused because the record set is not what
// was read: 412 when a deletion no longer matches, 409 when an addition
// collides with a set created meanwhile.
func conflict(err error) bool {
	var apiErr *httpapi.StatusError

	return errors.As(err, &apiErr) &&
		(apiErr.Status == http.StatusPreconditionFailed || apiErr.Status == http.StatusConflict)
}

// apiErrorOf reads a Google API error body ({"error":{"code","message",
// "errors":[{"reason"}],"status"}}), with the access token scrubbed in case
// the service echoes it. The reason is the error's code.
func (c *client) apiErrorOf(status int, body []byte) error {
	var v struct {
		Error struct {
			Message string `json:"message"`
			Status  string `json:"status"`
			Errors  []struct {
				Reason string `json:"reason"`
			} `json:"errors"`
		} `json:"error"`
	}

	e := &httpapi.StatusError{Status: status}
	if json.Unmarshal(body, &v) == nil {
		e.Message, e.Code = v.Error.Message, v.Error.Status
		if len(v.Error.Errors) > 0 && v.Error.Errors[0].Reason != "" {
			e.Code = v.Error.Errors[0].Reason
		}
	}

	c.mu.Lock()
	tok := c.lastToken
	c.mu.Unlock()

	if tok != "" {
		e.Message = strings.ReplaceAll(e.Message, tok, "REDACTED")
	}

	return e
}
