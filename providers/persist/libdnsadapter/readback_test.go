package libdnsadapter

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libdns/libdns"
)

// wholeSetProvider is an in-memory whole-set API, as deSEC's, PowerDNS's or
// Route 53's libdns providers use it: AppendRecords and DeleteRecords read
// the TXT set at the name and write it back whole, so a write based on a
// stale read drops what another writer wrote in between.
type wholeSetProvider struct {
	mu   sync.Mutex
	sets map[string][]string // by relative name

	// afterWrite, when set, runs after each write with the set as this
	// write read it (before) and may overwrite the set: a concurrent
	// writer whose write lands just after ours.
	afterWrite func(name string, before []string)

	// barrier, when set, holds the first barrierUses AppendRecords calls
	// between their read and their write until all of them have read.
	barrier     *sync.WaitGroup
	barrierUses int
}

func (f *wholeSetProvider) takeBarrier() *sync.WaitGroup {
	f.mu.Lock()
	defer f.mu.Unlock()

	if f.barrierUses == 0 {
		return nil
	}

	f.barrierUses--

	return f.barrier
}

func (f *wholeSetProvider) get(name string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()

	return slices.Clone(f.sets[name])
}

func (f *wholeSetProvider) put(name string, values []string) {
	f.mu.Lock()
	defer f.mu.Unlock()

	f.sets[name] = values
}

func (f *wholeSetProvider) AppendRecords(_ context.Context, _ string, recs []libdns.Record) ([]libdns.Record, error) {
	for _, r := range recs {
		rr := r.RR()
		before := f.get(rr.Name)

		if b := f.takeBarrier(); b != nil {
			b.Done()
			b.Wait()
		}

		if !slices.Contains(before, rr.Data) {
			f.put(rr.Name, append(slices.Clone(before), rr.Data))
		}

		if f.afterWrite != nil {
			f.afterWrite(rr.Name, before)
		}
	}

	return recs, nil
}

func (f *wholeSetProvider) DeleteRecords(_ context.Context, _ string, recs []libdns.Record) ([]libdns.Record, error) {
	for _, r := range recs {
		rr := r.RR()
		before := f.get(rr.Name)
		f.put(rr.Name, slices.DeleteFunc(slices.Clone(before), func(v string) bool { return v == rr.Data }))

		if f.afterWrite != nil {
			f.afterWrite(rr.Name, before)
		}
	}

	return recs, nil
}

func (f *wholeSetProvider) GetRecords(_ context.Context, _ string) ([]libdns.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()

	var out []libdns.Record

	for name, values := range f.sets {
		for _, v := range values {
			out = append(out, libdns.TXT{Name: name, Text: v})
		}
	}

	return out, nil
}

const (
	rbName     = "_validation-persist.www"
	rbExisting = "existing.example; accounturi=https://existing.example/acct/5"
	rbOther    = "other.example; accounturi=https://other.example/acct/9"
)

func newReadBackPublisher(t *testing.T, f *wholeSetProvider) *Publisher {
	t.Helper()

	pub, err := New(Config{Name: "wholeset", Zone: "example.com", ReadBack: true}, f)
	if err != nil {
		t.Fatal(err)
	}

	pub.repairDelay = time.Millisecond
	pub.settle = func(context.Context) error { return nil }

	return pub
}

func TestReadBackRepairsWhatAConcurrentWholeSetWriterDropped(t *testing.T) {
	tests := []struct {
		name       string
		unpublish  bool
		start      []string
		afterWrite func(f *wholeSetProvider, name string, before []string)
		want       []string
	}{
		{
			name:  "the other writer read before our write and drops our value",
			start: []string{rbExisting},
			afterWrite: func(f *wholeSetProvider, name string, before []string) {
				f.put(name, append(before, rbOther))
			},
			want: []string{rbExisting, rbOther, testValue},
		},
		{
			name:  "the other writer drops a value that was there before us",
			start: []string{rbExisting},
			afterWrite: func(f *wholeSetProvider, name string, _ []string) {
				f.put(name, []string{rbOther})
			},
			want: []string{rbExisting, rbOther, testValue},
		},
		{
			name:      "unpublish: the other writer restores our removed value and drops another",
			unpublish: true,
			start:     []string{rbExisting, testValue},
			afterWrite: func(f *wholeSetProvider, name string, before []string) {
				f.put(name, append(slices.DeleteFunc(slices.Clone(before), func(v string) bool { return v == rbExisting }), rbOther))
			},
			want: []string{rbExisting, rbOther},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &wholeSetProvider{sets: map[string][]string{rbName: slices.Clone(tt.start)}}
			pub := newReadBackPublisher(t, f)

			once := sync.Once{}
			f.afterWrite = func(name string, before []string) {
				once.Do(func() { tt.afterWrite(f, name, before) })
			}

			op := pub.Publish
			if tt.unpublish {
				op = pub.Unpublish
			}

			if err := op(context.Background(), testFQDN, testValue); err != nil {
				t.Fatal(err)
			}

			got := f.get(rbName)
			slices.Sort(got)
			slices.Sort(tt.want)

			if !slices.Equal(got, tt.want) {
				t.Errorf("TXT set = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadBackTwoPublishersOnboardingOneNameAtOnceKeepBothValues(t *testing.T) {
	f := &wholeSetProvider{sets: map[string][]string{rbName: {rbExisting}}, barrier: &sync.WaitGroup{}, barrierUses: 2}
	f.barrier.Add(2) // both first writes read the set before either writes

	a, b := newReadBackPublisher(t, f), newReadBackPublisher(t, f)

	// SettleDelay stands for "longer than the other writer's read-to-write
	// gap": here, until both first writes have landed.
	var written sync.WaitGroup

	written.Add(2)

	var once [2]sync.Once

	for i, p := range []*Publisher{a, b} {
		p.settle = func(context.Context) error {
			once[i].Do(written.Done)
			written.Wait()

			return nil
		}
	}

	var wg sync.WaitGroup

	errs := make([]error, 2)

	for i, op := range []func() error{
		func() error { return a.Publish(context.Background(), testFQDN, testValue) },
		func() error { return b.Publish(context.Background(), testFQDN, rbOther) },
	} {
		wg.Go(func() { errs[i] = op() })
	}

	wg.Wait()

	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	got := f.get(rbName)
	slices.Sort(got)

	want := []string{rbExisting, rbOther, testValue}
	slices.Sort(want)

	if !slices.Equal(got, want) {
		t.Errorf("TXT set = %q, want %q: a concurrent whole-set write lost a value", got, want)
	}
}

func TestReadBackGivesUpAfterBoundedRoundsWithOneLine(t *testing.T) {
	f := &wholeSetProvider{sets: map[string][]string{rbName: {rbExisting}}}
	f.afterWrite = func(name string, _ []string) { f.put(name, []string{rbOther}) } // drops everything, always
	pub := newReadBackPublisher(t, f)

	err := pub.Publish(context.Background(), testFQDN, testValue)
	if err == nil {
		t.Fatal("want an error when the set never keeps the value")
	}

	if msg := err.Error(); strings.ContainsAny(msg, "\n") || !strings.Contains(msg, "after 5 repairs") || !strings.Contains(msg, testFQDN) {
		t.Errorf("error = %q, want one line naming the record and the bounded repairs", msg)
	}
}

func TestReadBackNeedsAReader(t *testing.T) {
	if _, err := New(Config{Name: "x", Zone: "example.com", ReadBack: true}, &fakeProvider{}); err == nil {
		t.Error("New accepted ReadBack for a provider that cannot read the set")
	}
}
