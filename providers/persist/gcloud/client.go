package gcloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/libdns/libdns"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/dns/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/lego-persist/lego-persist/internal/record"
	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
)

// DefaultAPIURL is the base URL of the Cloud DNS v1 REST API.
const DefaultAPIURL = "https://dns.googleapis.com/dns/v1"

// Scope is the OAuth 2.0 scope the access token must carry.
const Scope = "https://www.googleapis.com/auth/ndev.clouddns.readwrite"

// client talks to the Cloud DNS v1 API through google.golang.org/api/dns/v1
// with a bearer token. It
// implements libdns.RecordAppender and libdns.RecordDeleter for TXT
// records, adding or removing one value of a record set at a time.
type client struct {
	transport    http.RoundTripper // our httpapi.Transport, under the token
	timeout      time.Duration     // of each request
	endpoint     string            // the API's root for google.golang.org/api ("https://dns.googleapis.com/")
	zoneID       string            // managed zone name given by the user (GCE_ZONE_ID), or ""
	allowPrivate bool

	// findDefault looks for the Application Default Credentials; ready
	// calls it when no token source was configured.
	findDefault func() (*google.Credentials, error)

	mu      sync.Mutex
	project string            // "" until ready finds it in the default credentials
	tokens  *lastToken        // nil until ready finds the default credentials
	svc     *dns.Service      // nil until ready
	zones   map[string]string // zone DNS name ("example.com.") → managed zone name
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

		var ch dns.Change

		setTTL := ttl
		if old != nil {
			ch.Deletions = []*dns.ResourceRecordSet{old}
			setTTL = old.Ttl
		}

		if len(datas) > 0 {
			ch.Additions = []*dns.ResourceRecordSet{{Name: name, Type: "TXT", Ttl: setTTL, Rrdatas: datas}}
		}

		err = c.apply(ctx, mz, &ch)

		if !conflict(err) {
			return err
		}

		if attempt == 2 {
			return fmt.Errorf("the record set changed while it was being updated, twice (try again): %w", err)
		}
	}
}

// ready makes sure the token source, the project and the Cloud DNS
// service are known. Without a configured token source or key, it looks
// for the Application Default Credentials on first use rather than when
// the publisher is built, since that may ask the metadata server; ctx
// bounds the wait. A failed lookup is tried again on the next call.
func (c *client) ready(ctx context.Context) error {
	c.mu.Lock()
	ok := c.svc != nil
	c.mu.Unlock()

	if ok {
		return nil
	}

	c.mu.Lock()
	haveTokens := c.tokens != nil
	c.mu.Unlock()

	if !haveTokens {
		if err := c.findDefaultCredentials(ctx); err != nil {
			return err
		}
	}

	c.mu.Lock()
	defer c.mu.Unlock()

	if c.svc != nil {
		return nil
	}

	hc := &http.Client{Timeout: c.timeout, Transport: &oauth2.Transport{Source: c.tokens, Base: c.transport}}

	// The service never builds its own client or credentials: the HTTP
	// client carries the token, the endpoint is ours (a test server, say).
	svc, err := dns.NewService(context.WithoutCancel(ctx), option.WithHTTPClient(hc), option.WithEndpoint(c.endpoint))
	if err != nil {
		return fmt.Errorf("building the Cloud DNS client: %w", err)
	}

	c.svc = svc

	return nil
}

func (c *client) findDefaultCredentials(ctx context.Context) error {
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
		c.tokens = &lastToken{src: r.creds.TokenSource}
	}

	return nil
}

func (c *client) projectID() string {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.project
}

func (c *client) service() *dns.Service {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.svc
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

	call := c.service().ManagedZones.List(c.projectID()).DnsName(zone)

	for page := 0; ; page++ {
		list, err := call.Context(ctx).Do()
		if err != nil {
			return "", fmt.Errorf("listing the managed zones named %s in project %s: %w", zone, c.projectID(), c.apiError(err))
		}

		for _, z := range list.ManagedZones {
			if !strings.EqualFold(z.DnsName, zone) {
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

		call.PageToken(list.NextPageToken)
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

	z, err := c.service().ManagedZones.Get(c.projectID(), c.zoneID).Context(ctx).Do()
	if err != nil {
		return "", fmt.Errorf("reading managed zone %s in project %s: %w", c.zoneID, c.projectID(), c.apiError(err))
	}

	if z.DnsName == "" {
		return "", fmt.Errorf("managed zone %s in project %s has no DNS name", c.zoneID, c.projectID())
	}

	return z.DnsName, nil
}

// readSet returns the TXT record set at name, or nil when there is none.
func (c *client) readSet(ctx context.Context, mz, name string) (*dns.ResourceRecordSet, error) {
	list, err := c.service().ResourceRecordSets.List(c.projectID(), mz).Name(name).Type("TXT").Context(ctx).Do()
	if err != nil {
		return nil, fmt.Errorf("reading the record set: %w", c.apiError(err))
	}

	for _, s := range list.Rrsets {
		if s.Type != "TXT" || !strings.EqualFold(s.Name, name) {
			continue
		}

		if s.RoutingPolicy != nil {
			return nil, errors.New("the TXT record set has a routing policy, which this provider cannot update")
		}

		// Only what a deletion must match: the server compares the set
		// with the one in the change.
		return &dns.ResourceRecordSet{Name: s.Name, Type: s.Type, Ttl: s.Ttl, Rrdatas: s.Rrdatas, SignatureRrdatas: s.SignatureRrdatas}, nil
	}

	return nil, nil
}

// apply creates the change: Changes.Create. Cloud DNS applies it
// atomically, and only if every deletion matches the current record set
// exactly (name, type, TTL and rrdatas); "pending" only means it is still
// reaching the name servers, which the caller's propagation check covers,
// so it is not polled.
func (c *client) apply(ctx context.Context, mz string, ch *dns.Change) error {
	if _, err := c.service().Changes.Create(c.projectID(), mz, ch).Context(ctx).Do(); err != nil {
		return fmt.Errorf("writing the record set: %w", c.apiError(err))
	}

	return nil
}

// conflict reports a change refused because the record set is not what
// was read: 412 when a deletion no longer matches, 409 when an addition
// collides with a set created meanwhile.
func conflict(err error) bool {
	var apiErr *httpapi.StatusError

	return errors.As(err, &apiErr) &&
		(apiErr.Status == http.StatusPreconditionFailed || apiErr.Status == http.StatusConflict)
}

// apiError turns the library's errors into a *httpapi.StatusError: a
// *googleapi.Error (its status, first reason and message), or a refused
// token request (its status and the OAuth 2.0 error code and description,
// RFC 6749 §5.2, never the whole body); the access token is scrubbed in
// case the service echoes it. Other errors are returned as they are.
func (c *client) apiError(err error) error {
	var (
		gerr *googleapi.Error
		re   *oauth2.RetrieveError
		e    *httpapi.StatusError
	)

	switch {
	case errors.As(err, &re) && re.Response != nil:
		e = &httpapi.StatusError{Status: re.Response.StatusCode, Code: re.ErrorCode, Message: re.ErrorDescription}

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

		return fmt.Errorf("getting an access token: %w", e)

	case errors.As(err, &gerr):
		e = &httpapi.StatusError{Status: gerr.Code, Message: gerr.Message}
		if len(gerr.Errors) > 0 {
			e.Code = gerr.Errors[0].Reason
		}

		if tok := c.tokens.last(); tok != "" {
			e.Message = strings.ReplaceAll(e.Message, tok, "REDACTED")
		}

		return e

	default:
		return err
	}
}

// lastToken is a token source that remembers the last access token, to
// scrub it from error texts.
type lastToken struct {
	src oauth2.TokenSource

	mu  sync.Mutex
	tok string
}

func (l *lastToken) Token() (*oauth2.Token, error) {
	t, err := l.src.Token()
	if err != nil {
		return nil, err
	}

	if t.AccessToken == "" {
		return nil, errors.New("the token source returned an empty token")
	}

	l.mu.Lock()
	l.tok = t.AccessToken
	l.mu.Unlock()

	return t, nil
}

func (l *lastToken) last() string {
	if l == nil {
		return ""
	}

	l.mu.Lock()
	defer l.mu.Unlock()

	return l.tok
}
