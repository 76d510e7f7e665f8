package hetzner

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

	"github.com/lego-persist/lego-persist/internal/record"
	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
)

// Action states of the Cloud API.
const (
	actionRunning = "running"
	actionSuccess = "success"
	actionError   = "error"
)

// client talks to the Hetzner Cloud API's DNS zones (RRSets and their
// actions). It implements libdns.RecordAppender and libdns.RecordDeleter for
// TXT records through the RRSet actions add_records and remove_records, which
// change only the records named, so other values at the name are never
// replaced.
type client struct {
	http         *http.Client
	baseURL      string // without a trailing slash, e.g. https://api.hetzner.cloud/v1
	token        string
	pollInterval time.Duration // between reads of a running action
}

// rrRecord is one record of an RRSet; Value is in zone-file presentation
// format (a TXT value is one or more quoted character-strings).
type rrRecord struct {
	Value   string `json:"value"`
	Comment string `json:"comment,omitempty"`
}

// rrset is an RRSet as the API returns it. TTL is nil when the RRSet uses
// the zone's default.
type rrset struct {
	Name    string     `json:"name"`
	Type    string     `json:"type"`
	TTL     *int       `json:"ttl"`
	Records []rrRecord `json:"records"`
}

// rrsetChange is the body of the add_records and remove_records actions.
type rrsetChange struct {
	TTL     *int       `json:"ttl,omitempty"`
	Records []rrRecord `json:"records"`
}

// action is an asynchronous operation of the API.
type action struct {
	ID      int64     `json:"id"`
	Command string    `json:"command"`
	Status  string    `json:"status"`
	Error   *apiError `json:"error"`
}

// AppendRecords adds each TXT value of recs to the RRSet at its name
// (POST /zones/{zone}/rrsets/{name}/TXT/actions/add_records) and waits for
// the action to finish. It reads the RRSet first: a value already there is
// not added again, and an existing RRSet keeps its TTL (the TTL asked for
// applies to a new RRSet only).
func (c *client) AppendRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	for _, r := range recs {
		rr := r.RR()
		if rr.Type != "TXT" {
			return nil, fmt.Errorf("record type %s is not supported", rr.Type)
		}

		set, err := c.getRRSet(ctx, zone, rr.Name)
		if err != nil {
			return nil, err
		}

		change := rrsetChange{Records: []rrRecord{{Value: record.Quote(rr.Data)}}}

		if set != nil {
			if len(matching(set, rr.Data)) > 0 {
				continue // already there
			}

			change.TTL = set.TTL
		} else if ttl := int(rr.TTL / time.Second); ttl > 0 {
			change.TTL = &ttl
		}

		if err := c.act(ctx, zone, rr.Name, "add_records", change); err != nil {
			return nil, err
		}
	}

	return recs, nil
}

// DeleteRecords removes each TXT value of recs from the RRSet at its name
// (POST /zones/{zone}/rrsets/{name}/TXT/actions/remove_records, naming the
// records exactly as the API stores them) and waits for the action. A value
// that is not there (or no RRSet at all) is not an error.
func (c *client) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	var deleted []libdns.Record

	for _, r := range recs {
		rr := r.RR()
		if rr.Type != "TXT" || rr.Data == "" {
			return deleted, errors.New("only one TXT value at a time can be deleted")
		}

		set, err := c.getRRSet(ctx, zone, rr.Name)
		if err != nil {
			return deleted, err
		}

		if set == nil {
			continue
		}

		ours := matching(set, rr.Data)
		if len(ours) == 0 {
			continue
		}

		if err := c.act(ctx, zone, rr.Name, "remove_records", rrsetChange{Records: ours}); err != nil {
			return deleted, err
		}

		deleted = append(deleted, r)
	}

	return deleted, nil
}

// matching returns the records of set whose TXT value is value (comparing
// the character-strings joined, so a value split over several strings, or
// quoted differently, is found).
func matching(set *rrset, value string) []rrRecord {
	var out []rrRecord

	for _, rec := range set.Records {
		if got, ok := record.Unquote(rec.Value); ok && got == value {
			out = append(out, rrRecord{Value: rec.Value})
		}
	}

	return out
}

// getRRSet returns the TXT RRSet at name, or nil when there is none:
// GET /zones/{zone}/rrsets/{name}/TXT.
func (c *client) getRRSet(ctx context.Context, zone, name string) (*rrset, error) {
	body, err := c.do(ctx, http.MethodGet, c.rrsetURL(zone, name), nil)

	var apiErr *httpapi.StatusError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound {
		return nil, nil
	}

	if err != nil {
		return nil, fmt.Errorf("reading the TXT RRSet: %w", err)
	}

	var resp struct {
		RRSet *rrset `json:"rrset"`
	}

	if err := json.Unmarshal(body, &resp); err != nil || resp.RRSet == nil {
		return nil, errors.New("reading the TXT RRSet: the response holds no rrset")
	}

	return resp.RRSet, nil
}

// act runs an RRSet action (add_records, remove_records) and waits until it
// has finished.
func (c *client) act(ctx context.Context, zone, name, command string, change rrsetChange) error {
	payload, err := json.Marshal(change)
	if err != nil {
		return err
	}

	body, err := c.do(ctx, http.MethodPost, c.rrsetURL(zone, name)+"/actions/"+command, payload)
	if err != nil {
		return fmt.Errorf("%s: %w", command, err)
	}

	if err := c.wait(ctx, body); err != nil {
		return fmt.Errorf("%s: %w", command, err)
	}

	return nil
}

// wait reads the action in body and, while it is running, reads it again
// (GET /actions/{id}) every pollInterval until it succeeds, fails or ctx ends.
func (c *client) wait(ctx context.Context, body []byte) error {
	for {
		var resp struct {
			Action *action `json:"action"`
		}

		if err := json.Unmarshal(body, &resp); err != nil || resp.Action == nil {
			return errors.New("the response holds no action")
		}

		a := resp.Action

		switch a.Status {
		case actionSuccess:
			return nil
		case actionError:
			if a.Error == nil {
				return fmt.Errorf("action %d failed", a.ID)
			}

			return fmt.Errorf("action %d failed: %s", a.ID, a.Error.err(0).Error())
		case actionRunning:
		default:
			return fmt.Errorf("action %d has the unknown status %q", a.ID, a.Status)
		}

		t := time.NewTimer(c.pollInterval)
		select {
		case <-ctx.Done():
			t.Stop()

			return fmt.Errorf("waiting for action %d: %w", a.ID, ctx.Err())
		case <-t.C:
		}

		var err error
		if body, err = c.do(ctx, http.MethodGet, c.baseURL+"/actions/"+strconv.FormatInt(a.ID, 10), nil); err != nil {
			return fmt.Errorf("reading action %d: %w", a.ID, err)
		}
	}
}

// rrsetURL is the URL of the TXT RRSet at name (relative to zone; "@" at
// the apex). The zone is addressed by its name, which the API accepts in
// place of its ID.
func (c *client) rrsetURL(zone, name string) string {
	if name == "" {
		name = "@"
	}

	return c.baseURL + "/zones/" + url.PathEscape(strings.TrimSuffix(zone, ".")) + "/rrsets/" + url.PathEscape(name) + "/TXT"
}

// do sends one request with the bearer token and returns the body of a 2xx
// response; any other status is a *httpapi.StatusError.
func (c *client) do(ctx context.Context, method, u string, body []byte) ([]byte, error) {
	return httpapi.DoJSON(ctx, c.http, httpapi.Request{Method: method, URL: u, Token: c.token, Body: body}, apiErrorOf)
}

// apiError is the Cloud API's error object ({"code","message"}), in an
// error response (under "error") or in a failed action.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// err is the error object as an error carrying status (0 for an action's).
func (e *apiError) err(status int) *httpapi.StatusError {
	se := &httpapi.StatusError{Status: status, Code: e.Code, Message: e.Message}
	if se.Code == "" && se.Message == "" {
		se.Message = httpapi.NoErrorDetails
	}

	return se
}

// apiErrorOf reads an error response of the API ({"error":{"code","message"}}).
func apiErrorOf(status int, body []byte) error {
	var v struct {
		Error *apiError `json:"error"`
	}

	if json.Unmarshal(body, &v) != nil || v.Error == nil {
		v.Error = &apiError{}
	}

	return v.Error.err(status)
}
