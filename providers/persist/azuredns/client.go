package azuredns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/libdns/libdns"

	"github.com/lego-persist/lego-persist/internal/record"
	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
)

// apiVersion of the Azure DNS REST API (Microsoft.Network/dnsZones).
const apiVersion = "2018-05-01"

// errConflict is a 412 Precondition Failed: the record set changed (or was
// created) between our read and our write.
var errConflict = errors.New("the record set changed while it was being updated (HTTP 412)")

// client talks to the Azure DNS REST API with tokens from an azidentity
// credential. It implements libdns.RecordAppender and libdns.RecordDeleter
// for TXT records, adding or removing one value of a record set at a time.
type client struct {
	http *http.Client

	cred  azcore.TokenCredential
	scope string // <resource manager>/.default

	zonesURL string // <resource manager>/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/dnsZones

	mu    sync.Mutex
	token string // the last one, scrubbed from error texts
}

// txtRecord is one TXT resource record: its character-strings.
type txtRecord struct {
	Value []string `json:"value"`
}

// recordSet is a TXT record set as the API returns it. Properties are kept
// as raw JSON so that a write sends back what it did not change (metadata
// among them).
type recordSet struct {
	ETag       string                     `json:"etag,omitempty"`
	Properties map[string]json.RawMessage `json:"properties"`
}

func (c *client) AppendRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	for _, r := range recs {
		rr := r.RR()
		if rr.Type != "TXT" {
			return nil, fmt.Errorf("record type %s is not supported", rr.Type)
		}

		if err := c.update(ctx, zone, rr.Name, func(set *recordSet, values []txtRecord) ([]txtRecord, bool) {
			for _, v := range values {
				if strings.Join(v.Value, "") == rr.Data {
					return nil, false // already there
				}
			}

			if set.Properties == nil {
				set.Properties = map[string]json.RawMessage{"TTL": json.RawMessage(strconv.Itoa(int(rr.TTL / time.Second)))}
			}

			return append(values, txtRecord{Value: record.Split(rr.Data)}), true
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

		if err := c.update(ctx, zone, rr.Name, func(_ *recordSet, values []txtRecord) ([]txtRecord, bool) {
			keep := make([]txtRecord, 0, len(values))
			for _, v := range values {
				if strings.Join(v.Value, "") != rr.Data {
					keep = append(keep, v)
				}
			}

			return keep, len(keep) != len(values)
		}); err != nil {
			return nil, err
		}
	}

	return recs, nil
}

// update reads the TXT record set at name, lets change compute its new
// values, and writes them back only if the set is unchanged since the read
// (If-Match with its ETag, or If-None-Match: * for a new set). When another
// writer got in between (412), it reads and tries once more. An empty
// result deletes the set.
func (c *client) update(ctx context.Context, zone, name string, change func(*recordSet, []txtRecord) ([]txtRecord, bool)) error {
	u := c.recordSetURL(zone, name)

	for attempt := 1; ; attempt++ {
		set, err := c.get(ctx, u)
		if err != nil {
			return err
		}

		var values []txtRecord
		if set != nil {
			if raw, ok := set.Properties["TXTRecords"]; ok {
				if err := json.Unmarshal(raw, &values); err != nil {
					return fmt.Errorf("reading the record set: TXTRecords: %w", err)
				}
			}
		} else {
			set = &recordSet{}
		}

		values, write := change(set, values)
		if !write {
			return nil
		}

		if len(values) == 0 {
			err = c.send(ctx, http.MethodDelete, u, set.ETag, nil)
		} else {
			err = c.put(ctx, u, set, values)
		}

		if !errors.Is(err, errConflict) || attempt == 2 {
			return err
		}
	}
}

func (c *client) recordSetURL(zone, name string) string {
	zone = strings.TrimSuffix(zone, ".")
	if name == "" {
		name = "@"
	}

	return c.zonesURL + "/" + url.PathEscape(zone) + "/TXT/" + url.PathEscape(name) + "?api-version=" + apiVersion
}

// get returns the record set at u, or nil when there is none.
func (c *client) get(ctx context.Context, u string) (*recordSet, error) {
	resp, err := c.do(ctx, http.MethodGet, u, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("reading the record set: %w", err)
	}

	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, nil
	default:
		return nil, fmt.Errorf("reading the record set: %w", c.apiErrorOf(resp))
	}

	var set recordSet
	if err := json.Unmarshal(resp.Body, &set); err != nil {
		return nil, fmt.Errorf("reading the record set: %w", err)
	}

	if set.ETag == "" {
		set.ETag = resp.Header.Get("ETag")
	}

	if set.ETag == "" {
		return nil, errors.New("reading the record set: the response has no ETag, so it cannot be updated safely")
	}

	return &set, nil
}

// put writes set with values, keeping its other properties.
func (c *client) put(ctx context.Context, u string, set *recordSet, values []txtRecord) error {
	props := make(map[string]json.RawMessage, len(set.Properties)+1)
	for k, v := range set.Properties {
		props[k] = v
	}

	// Read-only properties are not sent back.
	delete(props, "fqdn")
	delete(props, "provisioningState")

	raw, err := json.Marshal(values)
	if err != nil {
		return err
	}

	props["TXTRecords"] = raw

	body, err := json.Marshal(map[string]any{"properties": props})
	if err != nil {
		return err
	}

	return c.send(ctx, http.MethodPut, u, set.ETag, body)
}

// send writes (PUT or DELETE) under the ETag condition: If-Match etag, or
// If-None-Match: * when etag is empty (the set must not exist yet).
func (c *client) send(ctx context.Context, method, u, etag string, body []byte) error {
	h := http.Header{}
	if etag != "" {
		h.Set("If-Match", etag)
	} else {
		h.Set("If-None-Match", "*")
	}

	what := "writing"
	if method == http.MethodDelete {
		what = "deleting"
	}

	resp, err := c.do(ctx, method, u, h, body)
	if err != nil {
		return fmt.Errorf("%s the record set: %w", what, err)
	}

	switch resp.StatusCode {
	case http.StatusOK, http.StatusCreated, http.StatusNoContent:
		return nil
	case http.StatusPreconditionFailed:
		return errConflict
	default:
		return fmt.Errorf("%s the record set: %w", what, c.apiErrorOf(resp))
	}
}

// do sends one authorized request, with the headers h besides, and reads
// the response.
func (c *client) do(ctx context.Context, method, u string, h http.Header, body []byte) (*httpapi.Response, error) {
	token, err := c.accessToken(ctx)
	if err != nil {
		return nil, err
	}

	return httpapi.Do(ctx, c.http, httpapi.Request{Method: method, URL: u, Token: token, Header: h, Body: body})
}

// accessToken returns a token for the resource manager (azidentity caches
// and renews it).
func (c *client) accessToken(ctx context.Context) (string, error) {
	tok, err := c.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{c.scope}})
	if err != nil {
		return "", fmt.Errorf("getting a token: %w", identityError(err))
	}

	c.mu.Lock()
	c.token = tok.Token
	c.mu.Unlock()

	return tok.Token, nil
}

// apiErrorOf reads an ARM error body ({"error":{"code","message"}} or
// {"code","message"}), with the access token scrubbed in case the service
// echoes it.
func (c *client) apiErrorOf(resp *httpapi.Response) error {
	var v struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}

	e := &httpapi.StatusError{Status: resp.StatusCode}
	if json.Unmarshal(resp.Body, &v) == nil {
		if v.Error != nil {
			e.Code, e.Message = v.Error.Code, v.Error.Message
		} else {
			e.Code, e.Message = v.Code, v.Message
		}
	}

	c.mu.Lock()
	tok := c.token
	c.mu.Unlock()

	if tok != "" {
		e.Message = strings.ReplaceAll(e.Message, tok, "REDACTED")
	}

	return e
}

// identityError shortens azidentity's multi-line report of a refused token
// request to the identity platform's status, error code and the first line
// of its description; other errors are returned as they are.
func identityError(err error) error {
	var afe *azidentity.AuthenticationFailedError
	if !errors.As(err, &afe) || afe.RawResponse == nil {
		return err
	}

	e := &httpapi.StatusError{Status: afe.RawResponse.StatusCode}

	var v struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}

	if body, rerr := io.ReadAll(io.LimitReader(afe.RawResponse.Body, httpapi.MaxBody)); rerr == nil && json.Unmarshal(body, &v) == nil {
		e.Code = v.Error
		e.Message, _, _ = strings.Cut(v.Description, "\n")
	}

	if e.Code == "" && e.Message == "" {
		e.Message = httpapi.NoErrorDetails
	}

	return e
}
