package gateway

import "testing"

func TestCustomerWindowDefault(t *testing.T) {
	if w := (&Config{}).withDefaults().CustomerSession.Window; w != DefaultCustomerWindow {
		t.Errorf("default customer window %d, want %d", w, DefaultCustomerWindow)
	}
	c := Config{}
	c.CustomerSession.Window = 3
	if w := c.withDefaults().CustomerSession.Window; w != 3 {
		t.Errorf("configured customer window became %d, want 3", w)
	}
}
