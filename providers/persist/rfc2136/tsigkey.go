package rfc2136

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
)

// tsigKey is a TSIG key as BIND's tsig-keygen writes it:
//
//	key "name" {
//		algorithm hmac-sha256;
//		secret "base64";
//	};
type tsigKey struct {
	Name      string
	Algorithm string // empty when the file does not say
	Secret    string
}

// readTSIGFile reads the first key statement of a BIND key file. Errors name
// the file, never its secret.
func readTSIGFile(path string) (tsigKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return tsigKey{}, fmt.Errorf("reading TSIG key file: %w", err)
	}

	key, err := parseTSIGKey(string(data))
	if err != nil {
		return tsigKey{}, fmt.Errorf("TSIG key file %s: %w", path, err)
	}

	return key, nil
}

// parseTSIGKey understands the named.conf grammar a key file uses: words,
// quoted strings, braces, semicolons, and #, // and /* */ comments.
func parseTSIGKey(text string) (tsigKey, error) {
	toks, err := tokenize(text)
	if err != nil {
		return tsigKey{}, err
	}

	i := slices.IndexFunc(toks, func(t token) bool { return t.word && strings.EqualFold(t.s, "key") })
	if i < 0 {
		return tsigKey{}, errors.New(`no key statement (want: key "name" { algorithm ...; secret "..."; };)`)
	}

	if i+2 >= len(toks) || !toks[i+1].word || toks[i+2].word || toks[i+2].s != "{" {
		return tsigKey{}, errors.New(`malformed key statement (want: key "name" { ... };)`)
	}

	key := tsigKey{Name: toks[i+1].s}

	// Statements inside the braces: keyword value... ;
	i += 3

	for {
		if i >= len(toks) {
			return tsigKey{}, fmt.Errorf("key %q: missing closing brace", key.Name)
		}

		if !toks[i].word && toks[i].s == "}" {
			break
		}

		start := i
		for i < len(toks) && (toks[i].word || (toks[i].s != ";" && toks[i].s != "}")) {
			i++
		}

		stmt := toks[start:i]
		if i < len(toks) && toks[i].s == ";" && !toks[i].word {
			i++
		}

		if len(stmt) < 2 {
			continue
		}

		switch strings.ToLower(stmt[0].s) {
		case "algorithm":
			key.Algorithm = stmt[1].s
		case "secret":
			key.Secret = stmt[1].s
		}
	}

	if key.Name == "" {
		return tsigKey{}, errors.New("key statement without a name")
	}

	if key.Secret == "" {
		return tsigKey{}, fmt.Errorf("key %q has no secret", key.Name)
	}

	return key, nil
}

type token struct {
	s    string
	word bool // a word or quoted string, as opposed to { } ;
}

func tokenize(text string) ([]token, error) {
	var toks []token

	for i := 0; i < len(text); {
		c := text[i]

		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '#' || strings.HasPrefix(text[i:], "//"):
			for i < len(text) && text[i] != '\n' {
				i++
			}
		case strings.HasPrefix(text[i:], "/*"):
			end := strings.Index(text[i+2:], "*/")
			if end < 0 {
				return nil, errors.New("unterminated /* comment")
			}

			i += 2 + end + 2
		case c == '{' || c == '}' || c == ';':
			toks = append(toks, token{s: string(c)})
			i++
		case c == '"':
			end := strings.IndexByte(text[i+1:], '"')
			if end < 0 {
				return nil, errors.New("unterminated quoted string")
			}

			toks = append(toks, token{s: text[i+1 : i+1+end], word: true})
			i += end + 2
		default:
			start := i
			for i < len(text) && !strings.ContainsRune(" \t\r\n{};\"#", rune(text[i])) && !strings.HasPrefix(text[i:], "//") && !strings.HasPrefix(text[i:], "/*") {
				i++
			}

			toks = append(toks, token{s: text[start:i], word: true})
		}
	}

	return toks, nil
}
