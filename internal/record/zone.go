package record

import (
	"strconv"
	"strings"
)

// ZoneLine renders one TXT RR in RFC 1035 §5.1 master-file syntax:
//
//	_validation-persist.example.com. 300 IN TXT "part1" "part2"
//
// value is written as Quote does: character-strings of at most 255 octets
// (Split), with '"' and '\' escaped by a backslash and octets outside
// printable ASCII as \DDD, so the line loads into any RFC 1035 zone and
// yields value again. A name without a trailing dot gets one, since a
// relative name would be completed with the zone's $ORIGIN.
func ZoneLine(name string, ttl uint32, value string) string {
	var b strings.Builder

	b.Grow(len(name) + len(value) + 32)
	b.WriteString(name)

	if !strings.HasSuffix(name, ".") {
		b.WriteByte('.')
	}

	b.WriteByte(' ')
	b.WriteString(strconv.FormatUint(uint64(ttl), 10))
	b.WriteString(" IN TXT ")
	b.WriteString(Quote(value))

	return b.String()
}
