// Package smpptest provides a fake SMSC ([Server]) and a fake ESME
// ([ESME]) on 127.0.0.1 for tests and benchmarks of code that speaks SMPP,
// in the manner of net/http/httptest. Both are built on package smpp and
// record what they receive behind a mutex; the fake SMSC lets a test
// inject throttling, response delay, refused binds and dropped
// connections.
package smpptest
