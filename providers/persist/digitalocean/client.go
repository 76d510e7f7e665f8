package digitalocean

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/libdns/libdns"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
)

// perPage is the page size asked of the record listing (the API's maximum).
const perPage = 200

// maxPages bounds a listing, in case a server keeps announcing a next page.
const maxPages = 100

// client talks to the DigitalOcean API v2 domain records endpoints. It
// implements libdns.RecordAppender and libdns.RecordDeleter for TXT records:
// AppendRecords creates one record per value and never touches the others;
// DeleteRecords deletes, by ID, only the records whose data is exactly the
// value given.
type client struct {
	http    *http.Client
	baseURL string // without a trailing slash, e.g. https://api.digitalocean.com
	token   string
}

// record is a domain record as the API sends and takes it.
type record struct {
	ID   int64  `json:"id,omitempty"`
	Type string `json:"type"`
	Name string `json:"name"`
	Data string `json:"data"`
	TTL  int    `json:"ttl,omitempty"`
}

// AppendRecords creates one TXT record per element of recs:
// POST /v2/domains/{zone}/records.
func (c *client) AppendRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	for _, r := range recs {
		rr := r.RR()
		if rr.Type != "TXT" {
			return nil, fmt.Errorf("record type %s is not supported", rr.Type)
		}

		body, err := json.Marshal(record{Type: "TXT", Name: apexName(rr.Name), Data: rr.Data, TTL: int(rr.TTL / time.Second)})
		if err != nil {
			return nil, err
		}

		if _, err := c.do(ctx, http.MethodPost, c.recordsURL(zone), body); err != nil {
			return nil, fmt.Errorf("creating the record: %w", err)
		}
	}

	return recs, nil
}

// DeleteRecords lists the TXT records at each name of recs and deletes the
// ones whose data is exactly the value: DELETE /v2/domains/{zone}/records/{id}.
// A value that is not there is not an error.
func (c *client) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	var deleted []libdns.Record

	for _, r := range recs {
		rr := r.RR()
		if rr.Type != "TXT" || rr.Data == "" {
			return deleted, errors.New("only one TXT value at a time can be deleted")
		}

		have, err := c.list(ctx, zone, rr.Name)
		if err != nil {
			return deleted, err
		}

		for _, h := range have {
			if h.Type != "TXT" || h.Data != rr.Data {
				continue
			}

			u := c.recordsURL(zone) + "/" + strconv.FormatInt(h.ID, 10)
			if _, err := c.do(ctx, http.MethodDelete, u, nil); err != nil {
				// Gone since the listing (a concurrent delete): the goal is met.
				var apiErr *httpapi.StatusError
				if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
					return deleted, fmt.Errorf("deleting record %d: %w", h.ID, err)
				}
			}

			deleted = append(deleted, r)
		}
	}

	return deleted, nil
}

// list returns the TXT records at name (relative to zone), reading every
// page: GET /v2/domains/{zone}/records?type=TXT&name={fqdn}, where the name
// filter takes the full name without the trailing dot.
func (c *client) list(ctx context.Context, zone, name string) ([]record, error) {
	full := strings.TrimSuffix(libdns.AbsoluteName(name, zone), ".")

	var out []record

	for page := 1; ; page++ {
		if page > maxPages {
			return nil, fmt.Errorf("listing the records: more than %d pages", maxPages)
		}

		q := url.Values{
			"type":     {"TXT"},
			"name":     {full},
			"page":     {strconv.Itoa(page)},
			"per_page": {strconv.Itoa(perPage)},
		}

		body, err := c.do(ctx, http.MethodGet, c.recordsURL(zone)+"?"+q.Encode(), nil)
		if err != nil {
			return nil, fmt.Errorf("listing the records: %w", err)
		}

		var resp struct {
			Records []record `json:"domain_records"`
			Links   struct {
				Pages struct {
					Next string `json:"next"`
				} `json:"pages"`
			} `json:"links"`
		}

		if err := json.Unmarshal(body, &resp); err != nil {
			return nil, fmt.Errorf("listing the records: reading the response: %w", err)
		}

		out = append(out, resp.Records...)

		if resp.Links.Pages.Next == "" || len(resp.Records) == 0 {
			return out, nil
		}
	}
}

func (c *client) recordsURL(zone string) string {
	return c.baseURL + "/v2/domains/" + url.PathEscape(strings.TrimSuffix(zone, ".")) + "/records"
}

// do sends one request with the bearer token and returns the body of a
// 2xx response; any other status is a *httpapi.StatusError.
func (c *client) do(ctx context.Context, method, u string, body []byte) ([]byte, error) {
	return httpapi.DoJSON(ctx, c.http, httpapi.Request{Method: method, URL: u, Token: c.token, Body: body}, apiErrorOf)
}

// apexName is the API's name for a record at the zone apex: "@".
func apexName(name string) string {
	if name == "" || name == "@" {
		return "@"
	}

	return name
}

// apiErrorOf reads an error response of the API ({"id","message"}); the
// id is the error's code.
func apiErrorOf(status int, body []byte) error {
	e := &httpapi.StatusError{Status: status}

	var v struct {
		ID      string `json:"id"`
		Message string `json:"message"`
	}

	if json.Unmarshal(body, &v) == nil {
		e.Code, e.Message = v.ID, v.Message
	}

	if e.Code == "" && e.Message == "" {
		e.Message = httpapi.NoErrorDetails
	}

	return e
}
