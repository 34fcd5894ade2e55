package pdu

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
)

// unhex decodes hex written with spaces and newlines for reading.
func unhex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		tb.Fatalf("bad hex in test: %v", err)
	}
	return b
}

// cs returns s as a C-Octet String: s and a NUL.
func cs(s string) []byte { return append([]byte(s), 0) }

// join concatenates byte slices into a new one.
func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// octs returns its arguments as a byte slice.
func octs(v ...byte) []byte { return v }

// rep returns n copies of c.
func rep(c byte, n int) []byte { return bytes.Repeat([]byte{c}, n) }

// mustEqualBytes fails with hex dumps of both sides when got != want.
func mustEqualBytes(tb testing.TB, what string, got, want []byte) {
	tb.Helper()
	if !bytes.Equal(got, want) {
		tb.Errorf("%s mismatch\n got:\n%s\nwant:\n%s", what, hex.Dump(got), hex.Dump(want))
	}
}

// sameFields reports whether a and b hold the same values field by field,
// treating nil and empty slices as equal (a decoded empty field is an
// empty view, a literal one is nil). It returns the path of the first
// difference.
func sameFields(a, b any) (bool, string) {
	return sameValue(reflect.ValueOf(a), reflect.ValueOf(b), reflect.TypeOf(a).String())
}

func sameValue(a, b reflect.Value, path string) (bool, string) {
	if a.Type() != b.Type() {
		return false, path + ": type " + a.Type().String() + " vs " + b.Type().String()
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil(), path
		}
		return sameValue(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := range a.NumField() {
			if ok, p := sameValue(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); !ok {
				return false, p
			}
		}
		return true, ""
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false, path + ": length differs"
		}
		if a.Type().Elem().Kind() == reflect.Uint8 {
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				return false, path + ": " + hex.EncodeToString(a.Bytes()) + " vs " + hex.EncodeToString(b.Bytes())
			}
			return true, ""
		}
		for i := range a.Len() {
			if ok, p := sameValue(a.Index(i), b.Index(i), path+"[]"); !ok {
				return false, p
			}
		}
		return true, ""
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		if a.Uint() != b.Uint() {
			return false, path
		}
		return true, ""
	case reflect.Bool:
		if a.Bool() != b.Bool() {
			return false, path
		}
		return true, ""
	}
	panic("sameFields: unhandled kind " + a.Kind().String() + " at " + path)
}

// mustSame fails when got and want differ in any field.
func mustSame(tb testing.TB, got, want any) {
	tb.Helper()
	if ok, path := sameFields(got, want); !ok {
		tb.Errorf("field mismatch at %s\n got: %+v\nwant: %+v", path, got, want)
	}
}
