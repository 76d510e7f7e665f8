package inventory

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

const (
	ca      = "https://ca.example:14000/dir"
	acctURL = "https://ca.example/acct/1"
	tp      = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
)

type fakePub struct {
	mu        sync.Mutex
	published []string
	fail      error
}

func (p *fakePub) Publish(_ context.Context, fqdn, value string) error {
	p.mu.Lock()
	defer p.mu.Unlock()

	if p.fail != nil {
		return p.fail
	}

	p.published = append(p.published, fqdn+" "+value)

	return nil
}

type fakeUnpub struct {
	fakePub
	removed []string
}

func (p *fakeUnpub) Unpublish(_ context.Context, fqdn, value string) error {
	p.removed = append(p.removed, fqdn+" "+value)
	return nil
}

func open(t *testing.T, root string) *Store {
	t.Helper()

	s, err := Open(root, ca, "a@example.com")
	if err != nil {
		t.Fatal(err)
	}

	return s
}

func TestWrapRecordsPublishAndUnpublish(t *testing.T) {
	ctx := context.Background()
	inv := open(t, t.TempDir())
	src := Source{CA: ca, AccountURL: acctURL, Thumbprint: tp, Publisher: "rfc2136"}

	tests := []struct {
		name, fqdn, value string
		want              Entry
	}{
		{
			name: "draft-01 value with persistUntil", fqdn: "_validation-persist.Example.com.",
			value: "ca.example; accounturi=" + acctURL + "; persistUntil=1900000000",
			want:  Entry{Name: "_validation-persist.example.com.", Issuer: "ca.example", Draft: "draft-01"},
		},
		{
			name: "draft-02 hashed value", fqdn: "_validation-persist.b.example.com",
			value: "ca.example; accounturi=https://ca.example/account-hash/sha-256/5SQm7n6tPh2-PlLbCKGnViTXX5z19SCN4cPGQHSk-kw",
			want:  Entry{Name: "_validation-persist.b.example.com.", Issuer: "ca.example", Draft: "draft-02"},
		},
	}

	pub := &fakeUnpub{}
	w := inv.Wrap(pub, src)

	un, ok := w.(Unpublisher)
	if !ok {
		t.Fatal("Wrap of an Unpublisher does not implement Unpublisher")
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := w.Publish(ctx, tc.fqdn, tc.value); err != nil {
				t.Fatal(err)
			}

			got, err := inv.Lookup(tc.fqdn)
			if err != nil || len(got) != 1 {
				t.Fatalf("Lookup(%s) = %+v, %v; want one entry", tc.fqdn, got, err)
			}

			e := got[0]
			if e.Name != tc.want.Name || e.Value != tc.value || e.Issuer != tc.want.Issuer || e.Draft != tc.want.Draft ||
				e.CA != ca || e.AccountURL != acctURL || e.KeyThumbprint != tp || e.Publisher != "rfc2136" ||
				e.When.IsZero() || !e.Active() {
				t.Errorf("entry = %+v", e)
			}
		})
	}

	all, _ := inv.List()
	if all[0].PersistUntil == nil || all[0].PersistUntil.Unix() != 1900000000 {
		t.Errorf("persistUntil = %v, want 1900000000", all[0].PersistUntil)
	}

	if err := un.Unpublish(ctx, tests[0].fqdn, tests[0].value); err != nil {
		t.Fatal(err)
	}

	all, _ = inv.List()
	if len(all) != 2 || all[0].Active() || !all[1].Active() || len(pub.removed) != 1 {
		t.Errorf("after Unpublish: entries %+v, removed %q; want the first marked removed", all, pub.removed)
	}

	info, err := os.Stat(inv.Path())
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("inventory file %s: %v, mode %v; want 0600", inv.Path(), err, info.Mode().Perm())
	}
}

func TestWrapKeepsCapabilitiesAndSkipsFailedPublish(t *testing.T) {
	inv := open(t, t.TempDir())

	if _, ok := inv.Wrap(&fakePub{}, Source{}).(Unpublisher); ok {
		t.Error("Wrap of a publish-only publisher implements Unpublisher")
	}

	boom := errors.New("boom")

	err := inv.Wrap(&fakePub{fail: boom}, Source{}).Publish(context.Background(), "_validation-persist.a.example.", "v")
	if !errors.Is(err, boom) {
		t.Errorf("Publish error = %v, want the publisher's", err)
	}

	if all, _ := inv.List(); len(all) != 0 {
		t.Errorf("a failed Publish was recorded: %+v", all)
	}
}

func TestConcurrentWritersLoseNoEntry(t *testing.T) {
	root := t.TempDir()

	const writers, each = 4, 10

	var wg sync.WaitGroup

	for w := range writers {
		// A Store per writer: as separate processes, sharing only the files.
		inv := open(t, root)

		wg.Add(1)

		go func() {
			defer wg.Done()

			for i := range each {
				e := Entry{Name: fmt.Sprintf("_validation-persist.h%d-%d.example", w, i), Value: "v", When: time.Now()}
				if err := inv.Put(context.Background(), e); err != nil {
					t.Error(err)
				}
			}
		}()
	}

	wg.Wait()

	all, err := open(t, root).List()
	if err != nil || len(all) != writers*each {
		t.Errorf("List = %d entries, %v; want %d", len(all), err, writers*each)
	}
}

func TestPutReplacesSameNameAndValueKeepingLastSeen(t *testing.T) {
	ctx := context.Background()
	inv := open(t, t.TempDir())
	e := Entry{Name: "_validation-persist.a.example.", Value: "v", When: time.Unix(1, 0).UTC()}

	if err := inv.Put(ctx, e); err != nil {
		t.Fatal(err)
	}

	seen := time.Unix(5, 0).UTC()
	if err := inv.MarkSeen(ctx, "_VALIDATION-persist.a.example", "v", seen); err != nil {
		t.Fatal(err)
	}

	e.When = time.Unix(10, 0).UTC()
	if err := inv.Put(ctx, e); err != nil {
		t.Fatal(err)
	}

	all, _ := inv.List()
	if len(all) != 1 || !all[0].When.Equal(e.When) || all[0].LastSeen == nil || !all[0].LastSeen.Equal(seen) {
		t.Errorf("entries = %+v; want one, When updated, LastSeen kept", all)
	}
}

func TestDriftAndExpiring(t *testing.T) {
	ctx := context.Background()
	inv := open(t, t.TempDir())
	name := "_validation-persist.a.example."
	soon, later := time.Unix(1000, 0).UTC(), time.Unix(5000, 0).UTC()

	for _, e := range []Entry{
		{Name: name, Value: "served", AccountURL: acctURL, PersistUntil: &later},
		{Name: name, Value: "gone", AccountURL: acctURL, PersistUntil: &soon},
		{Name: name, Value: "other account's", AccountURL: "https://ca.example/acct/2"},
		{Name: name, Value: "removed", AccountURL: acctURL},
	} {
		if err := inv.Put(ctx, e); err != nil {
			t.Fatal(err)
		}
	}

	if err := inv.MarkRemoved(ctx, name, "removed", time.Now()); err != nil {
		t.Fatal(err)
	}

	drift, err := inv.Drift("_validation-persist.A.example", acctURL, []string{"served", "foreign"})
	if err != nil || len(drift) != 1 || drift[0].Value != "gone" {
		t.Errorf("Drift = %+v, %v; want only the value that is gone", drift, err)
	}

	exp, err := inv.Expiring(time.Unix(2000, 0))
	if err != nil || len(exp) != 1 || exp[0].Value != "gone" {
		t.Errorf("Expiring = %+v, %v; want the value whose persistUntil passes first", exp, err)
	}
}
