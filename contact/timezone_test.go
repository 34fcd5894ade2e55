package contact

import (
	"testing"
	"time"
)

// TestTimeZoneOf: a number's zone comes from its calling code (and the
// area code in the North American plan); every zone of the tables is a
// zone time.LoadLocation knows.
func TestTimeZoneOf(t *testing.T) {
	for phone, want := range map[string]string{
		"447700900123": "Europe/London", "33612345678": "Europe/Paris", "4915112345678": "Europe/Berlin",
		"12125550100": "America/New_York", "18085550100": "Pacific/Honolulu", "16045550100": "America/Vancouver",
		"18765550100": "America/Jamaica", "79161234567": "Europe/Moscow", "77011234567": "Asia/Almaty",
		"8613812345678": "Asia/Shanghai", "919812345678": "Asia/Kolkata", "2348031234567": "Africa/Lagos",
		"+61412345678": "Australia/Sydney", "35312345678": "Europe/Dublin", "9999999999": "",
	} {
		if got := TimeZoneOf(phone); got != want {
			t.Errorf("TimeZoneOf(%s) = %q, want %q", phone, got, want)
		}
	}
	for _, table := range []map[string]string{zoneByCode, nanpZones} {
		for code, zone := range table {
			if _, err := time.LoadLocation(zone); err != nil {
				t.Errorf("%s: %s: %v", code, zone, err)
			}
		}
	}
}

func TestCheckTimeZone(t *testing.T) {
	for name, ok := range map[string]bool{"Europe/Paris": true, "UTC": true, "America/Argentina/Buenos_Aires": true,
		"": false, "Local": false, "Mars/Olympus": false, "../etc/passwd": false, "Europe/Paris\x00": false} {
		if err := CheckTimeZone(name); (err == nil) != ok {
			t.Errorf("CheckTimeZone(%q) = %v", name, err)
		}
	}
}
