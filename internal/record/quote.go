package record

import "strings"

// Quote writes value as the RDATA of one TXT RR in RFC 1035 §5.1
// presentation format: the character-strings of Split (at most 255 octets
// each, §3.3.14), each in double quotes, separated by one space. Inside the
// quotes '"' and '\' are escaped with a backslash and octets outside
// printable ASCII are written as \DDD (three decimal digits), so the text is
// plain printable ASCII and Unquote(Quote(v)) == v for every v. The empty
// value is one empty string: `""`.
func Quote(value string) string {
	var b strings.Builder

	b.Grow(len(value) + 2 + len(value)/MaxStringLen*3)

	for i, part := range Split(value) {
		if i > 0 {
			b.WriteByte(' ')
		}

		writeQuoted(&b, part)
	}

	return b.String()
}

// writeQuoted writes s as one quoted character-string (RFC 1035 §5.1).
func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	writeEscaped(b, s)
	b.WriteByte('"')
}

// writeEscaped writes s with the escapes of RFC 1035 §5.1 exactly as
// miekg/dns presents a character-string (msg_helpers.go unpackString):
// '"' and '\' get a backslash, octets below 0x20 and above 0x7e become
// \DDD (three decimal digits); every other octet, SP included, stays.
func writeEscaped(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c > 0x7e:
			b.WriteByte('\\')
			b.WriteByte('0' + c/100)
			b.WriteByte('0' + c/10%10)
			b.WriteByte('0' + c%10)
		default:
			b.WriteByte(c)
		}
	}
}

// CAForm returns a TXT value (raw octets, the RR's character-strings
// joined) as the CAs read it: Pebble and Boulder receive every
// character-string from miekg/dns in presentation form and join those
// strings. Escaping works octet by octet, so escaping the joined value is
// the same as joining the escaped strings. A TAB becomes "\009", UTF-8
// becomes \DDD escapes, '"' and '\' are backslash-escaped; a value of
// printable ASCII without '"' and '\' is returned unchanged.
func CAForm(raw string) string {
	if !needsEscape(raw) {
		return raw
	}

	var b strings.Builder

	b.Grow(len(raw) + 8)
	writeEscaped(&b, raw)

	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' || c < 0x20 || c > 0x7e {
			return true
		}
	}

	return false
}

// Unescape undoes the escapes of one unquoted character-string in
// presentation form, as miekg/dns returns it (dns.TXT.Txt): \DDD is the
// octet with that decimal value (at most 255), \X is X. A lone trailing
// backslash is kept. Unescape(CAForm(v)) == v.
func Unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}

	var b strings.Builder

	b.Grow(len(s))

	for i := 0; i < len(s); {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			i++

			continue
		}

		c, n := unescapeAt(s, i)
		b.WriteByte(c)
		i += n
	}

	return b.String()
}

// unescapeAt decodes the escape starting with the backslash at s[i] (not
// the last octet of s): the octet and how many octets of s it used.
func unescapeAt(s string, i int) (byte, int) {
	if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
		if n := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0'); n <= 255 {
			return byte(n), 4
		}
	}

	return s[i+1], 2
}

// Unquote reads the RDATA of one TXT RR in RFC 1035 §5.1 presentation
// format and returns its character-strings concatenated (as Join does).
// Strings are separated by spaces or tabs and may be quoted or, as DNS APIs
// also return them, bare words; a bare word ends at a space, a tab or a '"',
// which opens a quoted string. Escapes are resolved: \DDD is the octet with
// that decimal value, \X is X. ok is false when s is malformed: a quoted
// string without its closing quote, a \DDD above 255, or a backslash that
// ends s. Unquote does not check the 255-octet limit of a string.
func Unquote(s string) (value string, ok bool) {
	var b strings.Builder

	b.Grow(len(s))

	for i := 0; i < len(s); {
		if s[i] == ' ' || s[i] == '\t' {
			i++

			continue
		}

		quoted := s[i] == '"'
		if quoted {
			i++
		}

		for {
			if i == len(s) {
				if quoted {
					return "", false // no closing quote
				}

				break
			}

			c := s[i]

			if quoted && c == '"' {
				i++

				break
			}

			if !quoted && (c == ' ' || c == '\t' || c == '"') {
				break
			}

			if c != '\\' {
				b.WriteByte(c)
				i++

				continue
			}

			// \DDD is an octet in decimal; \X is X.
			if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
				n := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
				if n > 255 {
					return "", false
				}

				b.WriteByte(byte(n))
				i += 4

				continue
			}

			if i+1 == len(s) {
				return "", false // a backslash ends s
			}

			b.WriteByte(s[i+1])
			i += 2
		}
	}

	return b.String(), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
