//go:build !light

package dnsproviders

import (
	"slices"
	"testing"
)

func TestCloudNamesAreTheCloudPublishers(t *testing.T) {
	ps := cloud()
	if len(ps) != len(cloudNames) {
		t.Fatalf("cloud() has %d publishers, cloudNames %d: update cloudnames.go", len(ps), len(cloudNames))
	}

	for i, p := range ps {
		if n := cloudNames[i]; p.Name != n.name || !slices.Equal(p.Aliases, n.aliases) {
			t.Errorf("cloud()[%d] is %s %q, cloudNames has %s %q: update cloudnames.go", i, p.Name, p.Aliases, n.name, n.aliases)
		}
	}
}
