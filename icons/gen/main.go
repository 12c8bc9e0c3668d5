// Command gen draws tokentray's icons: one tray icon per health state and
// the app icon. Each state differs in shape as well as colour (circle,
// hourglass circle, triangle, dots, octagon, dashed ring), with a dark
// rim and white glyph so it reads at 22 px on light and dark panels.
//
// Run with `go generate ./icons`.
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
)

type pt struct{ x, y float64 }

// seg is a stroke from a to b, w wide (unit square coordinates).
type seg struct {
	a, b pt
	w    float64
}

func distSeg(p pt, s seg) float64 {
	dx, dy := s.b.x-s.a.x, s.b.y-s.a.y
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, ((p.x-s.a.x)*dx+(p.y-s.a.y)*dy)/l2))
	}
	qx, qy := s.a.x+t*dx-p.x, s.a.y+t*dy-p.y
	return math.Sqrt(qx*qx + qy*qy)
}

// shape reports the signed distance from p to a filled outline (<0 inside).
type shape func(p pt) float64

func circle(c pt, r float64) shape {
	return func(p pt) float64 { return math.Hypot(p.x-c.x, p.y-c.y) - r }
}

// polygon is convex; its signed distance is approximated by edge planes.
func polygon(vs ...pt) shape {
	return func(p pt) float64 {
		d := -math.MaxFloat64
		for i := range vs {
			a, b := vs[i], vs[(i+1)%len(vs)]
			nx, ny := b.y-a.y, -(b.x - a.x)
			l := math.Hypot(nx, ny)
			v := ((p.x-a.x)*nx + (p.y-a.y)*ny) / l
			d = math.Max(d, v)
		}
		return d
	}
}

func regular(n int, r, rot float64) shape {
	vs := make([]pt, n)
	for i := range vs {
		a := rot + 2*math.Pi*float64(i)/float64(n)
		vs[i] = pt{0.5 + r*math.Cos(a), 0.5 + r*math.Sin(a)}
	}
	return polygon(vs...)
}

type icon struct {
	name   string
	fill   color.NRGBA
	body   shape
	glyph  []seg
	dots   []pt // filled glyph dots
	dotR   float64
	dashed bool // draw the body as a dashed ring (Unknown)
}

var (
	rim   = color.NRGBA{0x1b, 0x1f, 0x24, 0xff}
	white = color.NRGBA{0xff, 0xff, 0xff, 0xff}
)

func arc(c pt, r, from, to float64, n int, w float64) []seg {
	var out []seg
	for i := 0; i < n; i++ {
		a1 := from + (to-from)*float64(i)/float64(n)
		a2 := from + (to-from)*float64(i+1)/float64(n)
		out = append(out, seg{pt{c.x + r*math.Cos(a1), c.y + r*math.Sin(a1)}, pt{c.x + r*math.Cos(a2), c.y + r*math.Sin(a2)}, w})
	}
	return out
}

func icons() []icon {
	const w = 0.11
	qa := 2.4 * math.Pi
	question := append(arc(pt{0.5, 0.37}, 0.15, 0.95*math.Pi, qa, 12, 0.13),
		seg{pt{0.5 + 0.15*math.Cos(qa), 0.37 + 0.15*math.Sin(qa)}, pt{0.5, 0.60}, 0.13})
	return []icon{
		{name: "ok", fill: color.NRGBA{0x1f, 0x9d, 0x55, 0xff}, body: circle(pt{0.5, 0.5}, 0.44),
			glyph: []seg{{pt{0.29, 0.52}, pt{0.44, 0.67}, w}, {pt{0.44, 0.67}, pt{0.72, 0.36}, w}}},
		{name: "expiring", fill: color.NRGBA{0xe0, 0xa1, 0x00, 0xff}, body: circle(pt{0.5, 0.5}, 0.44),
			glyph: []seg{{pt{0.34, 0.28}, pt{0.66, 0.28}, w}, {pt{0.34, 0.72}, pt{0.66, 0.72}, w},
				{pt{0.36, 0.30}, pt{0.64, 0.70}, w}, {pt{0.64, 0.30}, pt{0.36, 0.70}, w}}},
		{name: "action", fill: color.NRGBA{0xf0, 0x6a, 0x0c, 0xff},
			body:  polygon(pt{0.5, 0.05}, pt{0.97, 0.90}, pt{0.03, 0.90}),
			glyph: []seg{{pt{0.5, 0.34}, pt{0.5, 0.60}, w}}, dots: []pt{{0.5, 0.75}}, dotR: 0.065},
		{name: "pending", fill: color.NRGBA{0x25, 0x63, 0xeb, 0xff}, body: regular(4, 0.50, math.Pi/4+math.Pi/2),
			dots: []pt{{0.28, 0.5}, {0.5, 0.5}, {0.72, 0.5}}, dotR: 0.075},
		{name: "broken", fill: color.NRGBA{0xd1, 0x1a, 0x2a, 0xff}, body: regular(8, 0.47, math.Pi/8),
			glyph: []seg{{pt{0.33, 0.33}, pt{0.67, 0.67}, w}, {pt{0.67, 0.33}, pt{0.33, 0.67}, w}}},
		{name: "unknown", fill: color.NRGBA{0x8a, 0x91, 0x9c, 0xff}, body: circle(pt{0.5, 0.5}, 0.44),
			glyph: question, dots: []pt{{0.5, 0.77}}, dotR: 0.075, dashed: true},
	}
}

func (ic icon) at(p pt, px float64) color.NRGBA {
	d := ic.body(p)
	if ic.dashed && d < 0 {
		// A hollow, dashed ring reads as "not known" next to the solid states.
		ring := -d < 0.10
		ang := math.Atan2(p.y-0.5, p.x-0.5)
		gap := math.Mod(ang+2*math.Pi, math.Pi/4) < math.Pi/14
		if !ring || gap {
			// inside the ring: transparent centre with the glyph drawn on top
			d = 1
		}
	}
	out := color.NRGBA{}
	switch {
	case d < -1.5*px:
		out = ic.fill
	case d < 0.6*px:
		out = rim
	}
	for _, s := range ic.glyph {
		if distSeg(p, s) < s.w/2 {
			if ic.dashed {
				return ic.fill
			}
			return white
		}
	}
	for _, c := range ic.dots {
		if math.Hypot(p.x-c.x, p.y-c.y) < ic.dotR {
			if ic.dashed {
				return ic.fill
			}
			return white
		}
	}
	return out
}

// render supersamples 4x4 per pixel for smooth edges.
func render(ic icon, size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	px := 1 / float64(size)
	const ss = 4
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					p := pt{(float64(x) + (float64(sx)+0.5)/ss) * px, (float64(y) + (float64(sy)+0.5)/ss) * px}
					c := ic.at(p, math.Max(px, 1.0/64))
					fa := float64(c.A) / 255
					r += float64(c.R) * fa
					g += float64(c.G) * fa
					b += float64(c.B) * fa
					a += fa
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(x, y, color.NRGBA{uint8(r / a), uint8(g / a), uint8(b / a), uint8(a / (ss * ss) * 255)})
		}
	}
	return img
}

func appIcon(size int) *image.NRGBA {
	// A rounded tile with a key: the app keeps keys alive.
	tile := icon{fill: color.NRGBA{0x0f, 0x4c, 0x81, 0xff}, body: func(p pt) float64 {
		qx, qy := math.Abs(p.x-0.5)-0.30, math.Abs(p.y-0.5)-0.30
		return math.Hypot(math.Max(qx, 0), math.Max(qy, 0)) + math.Min(math.Max(qx, qy), 0) - 0.16
	}}
	tile.glyph = append(arc(pt{0.36, 0.42}, 0.13, 0, 2*math.Pi, 24, 0.08),
		seg{pt{0.47, 0.50}, pt{0.76, 0.72}, 0.08},
		seg{pt{0.66, 0.645}, pt{0.60, 0.73}, 0.07},
		seg{pt{0.73, 0.70}, pt{0.67, 0.78}, 0.07})
	return render(tile, size)
}

func write(path string, img image.Image) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	for _, ic := range icons() {
		write(filepath.Join(dir, "state-"+ic.name+".png"), render(ic, 64))
	}
	write(filepath.Join(dir, "app.png"), appIcon(256))
}
