package tray

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"sync"

	"tokentray/auth"
	"tokentray/icons"
)

// iconKey names one of the icons the tray can show.
type iconKey struct {
	state auth.State
	busy  bool
	empty bool
}

func (v View) iconKey() iconKey { return iconKey{state: v.State, busy: v.Busy, empty: v.Empty} }

var (
	iconMu    sync.Mutex
	iconCache = map[iconKey][]byte{}
)

// iconFor is the view's icon: the state's icon, with a refresh badge
// while a check runs; the app's own icon, neutral, when there is no
// credential yet. Derived icons are drawn once and kept.
func iconFor(v View) []byte {
	k := v.iconKey()
	if !k.busy && !k.empty {
		return icons.ForState(k.state)
	}
	iconMu.Lock()
	defer iconMu.Unlock()
	if b, ok := iconCache[k]; ok {
		return b
	}
	var b []byte
	if k.empty {
		b = neutralIcon()
	} else {
		b = withBadge(icons.ForState(k.state))
	}
	iconCache[k] = b
	return b
}

// neutralIcon is the app icon at the size of the state icons.
func neutralIcon() []byte {
	src, err := png.Decode(bytes.NewReader(icons.App))
	if err != nil {
		return icons.ForState(auth.Unknown)
	}
	const size = 64
	out := image.NewNRGBA(image.Rect(0, 0, size, size))
	b := src.Bounds()
	fx, fy := b.Dx()/size, b.Dy()/size
	if fx < 1 || fy < 1 {
		return icons.App
	}
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			var r, g, bl, a uint32
			for yy := 0; yy < fy; yy++ {
				for xx := 0; xx < fx; xx++ {
					c := color.NRGBAModel.Convert(src.At(b.Min.X+x*fx+xx, b.Min.Y+y*fy+yy)).(color.NRGBA)
					r, g, bl, a = r+uint32(c.R), g+uint32(c.G), bl+uint32(c.B), a+uint32(c.A)
				}
			}
			n := uint32(fx * fy)
			out.SetNRGBA(x, y, color.NRGBA{uint8(r / n), uint8(g / n), uint8(bl / n), uint8(a / n)})
		}
	}
	return encode(out)
}

// withBadge draws a white ring with a gap (a "working" spinner) in the
// lower right corner of a state icon.
func withBadge(icon []byte) []byte {
	src, err := png.Decode(bytes.NewReader(icon))
	if err != nil {
		return icon
	}
	b := src.Bounds()
	out := image.NewNRGBA(b)
	draw.Draw(out, b, src, b.Min, draw.Src)
	w := float64(b.Dx())
	cx, cy, r := w*0.76, w*0.76, w*0.24
	dark := color.NRGBA{0x1b, 0x1f, 0x24, 0xff}
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
			d := math.Hypot(dx, dy)
			if d > r {
				continue
			}
			out.SetNRGBA(x, y, dark)
			ang := math.Atan2(dy, dx)
			if d > r*0.45 && d < r*0.8 && !(ang > -math.Pi/2 && ang < 0) {
				out.SetNRGBA(x, y, white)
			}
		}
	}
	return encode(out)
}

func encode(img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil
	}
	return buf.Bytes()
}
