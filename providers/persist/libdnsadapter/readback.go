package libdnsadapter

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/libdns/libdns"

	"github.com/lego-persist/lego-persist/internal/record"
	"github.com/lego-persist/lego-persist/internal/wait"
)

// MaxRepairRounds bounds how often a ReadBack publisher writes again after
// reading back a set that lost a value.
const MaxRepairRounds = 5

// repairDelay is the pause before the first repair round; it doubles each
// round, so that two writers repairing the same set drift apart.
const repairDelay = 100 * time.Millisecond

// SettleDelay is how long a ReadBack publisher waits after a read back
// that found the set complete before it reads once more and returns. A
// whole-set writer that read the set before our write lands its write
// after ours within the time between its read and its write (one API round
// trip, well under this): the second read sees the loss and repairs it.
const SettleDelay = 2 * time.Second

// TXTReader reads the TXT values at one name (relative to zone, as libdns
// names it). ReadBack uses it when the provider has it, else
// libdns.RecordGetter.
type TXTReader interface {
	ReadTXT(ctx context.Context, zone, name string) ([]string, error)
}

// readTXT returns the TXT values at name in zone.
func (p *Publisher) readTXT(ctx context.Context, zone, name string) ([]string, error) {
	if r, ok := p.provider.(TXTReader); ok {
		return r.ReadTXT(ctx, zone, name)
	}

	all, err := p.provider.(libdns.RecordGetter).GetRecords(ctx, zone)
	if err != nil {
		return nil, err
	}

	want := libdns.AbsoluteName(name, zone)

	var out []string

	for _, r := range all {
		rr := r.RR()
		if rr.Type == "TXT" && sameName(libdns.AbsoluteName(rr.Name, zone), want) {
			out = append(out, Unquote(rr.Data))
		}
	}

	return out, nil
}

// writeAndRepair runs write, then reads the set back until it holds every
// value of before that is not value, plus value itself when adding (and
// not value when removing), twice in a row with SettleDelay between the
// two reads. A value a concurrent whole-set writer dropped is appended
// again, and a value to remove that came back is deleted again, for at
// most MaxRepairRounds rounds.
//
// The other writer's own value is its own writer's to repair (each writer
// reads back its own write); what this one guarantees is its value and
// the values that were there before it wrote. A value its owner removed at
// the same moment may come back; removing it again fixes that.
func (p *Publisher) writeAndRepair(ctx context.Context, zone string, rec libdns.TXT, adding bool, write func() error) error {
	before, err := p.readTXT(ctx, zone, rec.Name)
	if err != nil {
		return fmt.Errorf("reading the TXT set before writing: %w", err)
	}

	if err := write(); err != nil {
		return err
	}

	want := slices.DeleteFunc(slices.Clone(before), func(v string) bool { return v == rec.Text })
	if adding {
		want = append(want, rec.Text)
	}

	delay, settled := p.repairDelay, false

	for repairs := 0; ; repairs++ {
		after, err := p.readTXT(ctx, zone, rec.Name)
		if err != nil {
			return fmt.Errorf("reading the TXT set back: %w", err)
		}

		var missing []libdns.Record

		for _, v := range want {
			if !slices.Contains(after, v) {
				missing = append(missing, libdns.TXT{Name: rec.Name, TTL: p.ttl, Text: v})
			}
		}

		stale := !adding && slices.Contains(after, rec.Text)
		if len(missing) == 0 && !stale {
			if settled || p.settle == nil {
				return nil
			}

			if err := p.settle(ctx); err != nil {
				return err
			}

			settled = true
			repairs-- // a confirming read is no repair

			continue
		}

		settled = false

		if repairs == MaxRepairRounds {
			return fmt.Errorf("the TXT set still lacks %d value(s) (or still holds the removed one) after %d repairs; "+
				"another writer keeps replacing it: run again", len(missing), MaxRepairRounds)
		}

		if err := wait.Sleep(ctx, delay); err != nil {
			return err
		}

		delay *= 2

		if len(missing) > 0 {
			if _, err := p.provider.AppendRecords(ctx, zone, missing); err != nil {
				return fmt.Errorf("restoring %d value(s) a concurrent write dropped: %w", len(missing), err)
			}
		}

		if stale {
			if err := p.remove(ctx, zone, rec); err != nil {
				return fmt.Errorf("removing the value again after a concurrent write restored it: %w", err)
			}
		}
	}
}

// Quote is value in RFC 1035 presentation format, split into quoted
// strings of at most 255 octets (`"a..." "b..."`), for APIs that take TXT
// data that way.
func Quote(value string) string { return record.Quote(value) }

// Unquote reads TXT data some APIs return in presentation format (`"a"
// "b"`, as PowerDNS's API holds it) as the value it stands for; data that
// does not start with a quote is returned as it is.
func Unquote(data string) string {
	if strings.HasPrefix(data, `"`) {
		if v, ok := record.Unquote(data); ok {
			return v
		}
	}

	return data
}

func settleFunc(d time.Duration) func(ctx context.Context) error {
	switch {
	case d < 0:
		return nil
	case d == 0:
		d = SettleDelay
	}

	return func(ctx context.Context) error { return wait.Sleep(ctx, d) }
}
