package msg

import "testing"

// BenchmarkRender says one message with a parameter, as a row of
// `status` does several times.
func BenchmarkRender(b *testing.B) {
	m := Approx(50 * 3600e9)
	English.Render(m)
	for b.Loop() {
		English.Render(m)
	}
}
