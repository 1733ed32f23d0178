package download

import "io"

// progressStep is how many bytes pass between two progress reports.
const progressStep = 256 << 10

// progressReader counts what passes through it, reporting to report every
// progressStep bytes, and calls onRead after each read that got data.
type progressReader struct {
	r          io.Reader
	total      int64
	done, last int64
	report     func(done, total int64)
	onRead     func()
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.done += int64(n)
		if p.onRead != nil {
			p.onRead()
		}
		if p.report != nil && p.done-p.last >= progressStep {
			p.last = p.done
			p.report(p.done, p.total)
		}
	}
	return n, err
}

// finish makes the final report.
func (p *progressReader) finish() {
	if p.report != nil && p.done != p.last {
		p.last = p.done
		p.report(p.done, p.total)
	}
}
