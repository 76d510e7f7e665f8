package libdnsadapter

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/libdns/libdns"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
)

// Name is a record name as the small API clients of the provider packages
// see it.
type Name struct {
	// Zone is the zone without its trailing dot: "example.com".
	Zone string
	// Relative is the name relative to the zone, "" at the apex:
	// "_validation-persist.www".
	Relative string
}

// FQDN is the full name without a trailing dot: "_validation-persist.www.example.com".
func (n Name) FQDN() string {
	if n.Relative == "" {
		return n.Zone
	}

	return n.Relative + "." + n.Zone
}

// RelativeOr is Relative, or apex ("@", say) at the zone apex.
func (n Name) RelativeOr(apex string) string {
	if n.Relative == "" {
		return apex
	}

	return n.Relative
}

func nameOf(zone, relative string) Name {
	return Name{Zone: strings.TrimSuffix(zone, "."), Relative: strings.TrimSuffix(libdns.RelativeName(relative, zone), ".")}
}

// APIRecord is one TXT record of a host whose records are objects with IDs.
type APIRecord struct {
	ID    string
	Value string // the whole value, its character-strings joined
}

// RecordAPI is the shape of most DNS hosts' record APIs: each TXT value is a
// record object with an ID of its own, created on its own and deleted by
// its ID. Records(api) turns one into a Provider whose Publish creates one
// record (the other records at the name are never sent, so they cannot be
// lost, whatever other writers do at the same time) and whose Unpublish
// deletes, by ID, exactly the records holding the value.
type RecordAPI interface {
	// ListTXT returns the TXT records at n (every page of them).
	ListTXT(ctx context.Context, n Name) ([]APIRecord, error)
	// CreateTXT creates one TXT record at n holding value; ttl is in
	// seconds, 0 for the host's default.
	CreateTXT(ctx context.Context, n Name, value string, ttl int) error
	// DeleteTXT deletes the record rec (one ListTXT returned).
	DeleteTXT(ctx context.Context, n Name, rec APIRecord) error
}

// Records returns a Provider over api.
func Records(api RecordAPI) Provider { return recordProvider{api: api} }

type recordProvider struct{ api RecordAPI }

func (p recordProvider) AppendRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	for _, r := range recs {
		rr := r.RR()
		if err := p.api.CreateTXT(ctx, nameOf(zone, rr.Name), rr.Data, int(rr.TTL/time.Second)); err != nil {
			return nil, fmt.Errorf("creating the record: %w", err)
		}
	}

	return recs, nil
}

func (p recordProvider) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	var deleted []libdns.Record

	for _, r := range recs {
		rr := r.RR()
		n := nameOf(zone, rr.Name)

		have, err := p.api.ListTXT(ctx, n)
		if err != nil {
			return deleted, fmt.Errorf("listing the records: %w", err)
		}

		for _, h := range have {
			if h.Value != rr.Data {
				continue
			}

			if err := p.api.DeleteTXT(ctx, n, h); err != nil && !httpapi.IsNotFound(err) {
				return deleted, fmt.Errorf("deleting record %s: %w", h.ID, err)
			}

			deleted = append(deleted, r)
		}
	}

	return deleted, nil
}

// ReadTXT is the TXTReader of a RecordAPI.
func (p recordProvider) ReadTXT(ctx context.Context, zone, name string) ([]string, error) {
	have, err := p.api.ListTXT(ctx, nameOf(zone, name))
	if err != nil {
		return nil, err
	}

	out := make([]string, 0, len(have))
	for _, h := range have {
		out = append(out, h.Value)
	}

	return out, nil
}

// isNotFound reports a 404 from the API: a record deleted since it was
// listed (by a concurrent unpublish) is gone, which is the goal.
// RRSetAPI is the shape of hosts whose API writes the whole TXT set at a
// name at once (GoDaddy, Gandi, NS1, Gcore, ...). RRSets(api) turns one
// into a Provider whose Publish reads the set and writes it back with the
// value added, and whose Unpublish writes it back with the value removed;
// every other value is carried over. Between that read and write another
// writer's change can be lost: give the Provider to New with
// Config.ReadBack so that the set is read again and repaired.
type RRSetAPI interface {
	// GetTXT returns the values of the TXT set at n and its TTL in
	// seconds; no values (and no error) when there is no set.
	GetTXT(ctx context.Context, n Name) (values []string, ttl int, err error)
	// PutTXT writes the TXT set at n: values replace the whole set; no
	// values deletes it. existed tells whether GetTXT found a set (for APIs
	// that create and update with different calls). ttl is in seconds: the
	// configured TTL when adding, the set's own when removing; 0 for the
	// host's default.
	PutTXT(ctx context.Context, n Name, values []string, ttl int, existed bool) error
}

// TXTAppender is for whole-set APIs that can also add one value without
// sending the set (GoDaddy's PATCH of records): an RRSetAPI that has it
// publishes with AppendTXT and uses PutTXT only to remove.
type TXTAppender interface {
	AppendTXT(ctx context.Context, n Name, value string, ttl int) error
}

// RRSets returns a Provider over api.
func RRSets(api RRSetAPI) Provider { return rrsetProvider{api: api} }

type rrsetProvider struct{ api RRSetAPI }

func (p rrsetProvider) AppendRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	for _, r := range recs {
		rr := r.RR()
		n := nameOf(zone, rr.Name)

		have, _, err := p.api.GetTXT(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("reading the TXT set: %w", err)
		}

		if slices.Contains(have, rr.Data) {
			continue
		}

		if a, ok := p.api.(TXTAppender); ok {
			if err := a.AppendTXT(ctx, n, rr.Data, int(rr.TTL/time.Second)); err != nil {
				return nil, fmt.Errorf("adding the value: %w", err)
			}

			continue
		}

		if err := p.api.PutTXT(ctx, n, append(slices.Clone(have), rr.Data), int(rr.TTL/time.Second), len(have) > 0); err != nil {
			return nil, fmt.Errorf("writing the TXT set: %w", err)
		}
	}

	return recs, nil
}

func (p rrsetProvider) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	var deleted []libdns.Record

	for _, r := range recs {
		rr := r.RR()
		n := nameOf(zone, rr.Name)

		have, ttl, err := p.api.GetTXT(ctx, n)
		if err != nil {
			return deleted, fmt.Errorf("reading the TXT set: %w", err)
		}

		keep := slices.DeleteFunc(slices.Clone(have), func(v string) bool { return v == rr.Data })
		if len(keep) == len(have) {
			continue
		}

		if err := p.api.PutTXT(ctx, n, keep, ttl, true); err != nil {
			return deleted, fmt.Errorf("writing the TXT set: %w", err)
		}

		deleted = append(deleted, r)
	}

	return deleted, nil
}

// ReadTXT is the TXTReader of an RRSetAPI.
func (p rrsetProvider) ReadTXT(ctx context.Context, zone, name string) ([]string, error) {
	values, _, err := p.api.GetTXT(ctx, nameOf(zone, name))

	return values, err
}
