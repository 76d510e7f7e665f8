package record

import (
	"strconv"
	"strings"
)

// ZoneLine renders one TXT RR in RFC 1035 §5.1 master-file syntax:
//
//	_validation-persist.example.com. 300 IN TXT "part1" "part2"
//
// value is split into character-strings of at most 255 octets (Split); in
// each, '"' and '\' are escaped with a backslash and octets outside printable
// ASCII as \DDD, so the line loads into any RFC 1035 zone and yields value
// again. A name without a trailing dot gets one, since a relative name would
// be completed with the zone's $ORIGIN.
func ZoneLine(name string, ttl uint32, value string) string {
	var b strings.Builder

	b.Grow(len(name) + len(value) + 32)
	b.WriteString(name)

	if !strings.HasSuffix(name, ".") {
		b.WriteByte('.')
	}

	b.WriteByte(' ')
	b.WriteString(strconv.FormatUint(uint64(ttl), 10))
	b.WriteString(" IN TXT")

	for _, part := range Split(value) {
		b.WriteString(" ")
		writeQuoted(&b, part)
	}

	return b.String()
}

// writeQuoted writes s as an RFC 1035 §5.1 quoted character-string.
func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')

	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c > 0x7e:
			// \DDD: the octet as three decimal digits.
			b.WriteByte('\\')
			b.WriteByte('0' + c/100)
			b.WriteByte('0' + c/10%10)
			b.WriteByte('0' + c%10)
		default:
			b.WriteByte(c)
		}
	}

	b.WriteByte('"')
}
