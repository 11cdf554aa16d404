package media

import (
	"encoding/binary"
	"errors"
)

// HEVC, like VP8, usually stores "video range" YCbCr (luma 16-235), and
// the decoder we embed hands its planes over as they are, which Go reads
// as full range: washed out. Whether a HEIF's pictures are video or full
// range is said by a colr box of type nclx when the file has one, else by
// the video_full_range_flag in its sequence parameter set (SPS), in the
// hvcC box; HEVC's default is video range. iPhones write full range in
// the SPS and no nclx; libheif and most cameras write video range.

// hevcFullRange reads the video_full_range_flag of the first SPS in an
// hvcC box's body. ok is false when the SPS could not be read that far
// (then nothing is known, and the planes are left as they are).
func hevcFullRange(hvcC []byte) (full, ok bool) {
	sps := firstSPS(hvcC)
	if sps == nil {
		return false, false
	}
	full, err := spsFullRange(unescapeRBSP(sps))
	return full, err == nil
}

// firstSPS finds the first SPS NAL unit (type 33) in an hvcC body.
func firstSPS(b []byte) []byte {
	if len(b) < 23 {
		return nil
	}
	arrays := int(b[22])
	p := b[23:]
	for range arrays {
		if len(p) < 3 {
			return nil
		}
		typ, n := p[0]&0x3F, int(binary.BigEndian.Uint16(p[1:]))
		p = p[3:]
		for range n {
			if len(p) < 2 {
				return nil
			}
			l := int(binary.BigEndian.Uint16(p))
			if len(p) < 2+l {
				return nil
			}
			if typ == 33 && l > 2 {
				return p[2 : 2+l]
			}
			p = p[2+l:]
		}
	}
	return nil
}

// unescapeRBSP drops the emulation prevention bytes (00 00 03 -> 00 00).
func unescapeRBSP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	zeros := 0
	for _, c := range b {
		if zeros >= 2 && c == 3 {
			zeros = 0
			continue
		}
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
		out = append(out, c)
	}
	return out
}

// bitReader reads an RBSP's bits, MSB first.
type bitReader struct {
	b   []byte
	pos int // in bits
	err error
}

var errShortSPS = errors.New("hevc: sequence parameter set ends early")

func (r *bitReader) u(n int) uint32 {
	var v uint32
	for range n {
		if r.pos >= len(r.b)*8 {
			r.err = errShortSPS
			return 0
		}
		v = v<<1 | uint32(r.b[r.pos/8]>>(7-r.pos%8)&1)
		r.pos++
	}
	return v
}

func (r *bitReader) flag() bool { return r.u(1) == 1 }

// ue reads an unsigned Exp-Golomb number (at most 31 leading zeros).
func (r *bitReader) ue() uint32 {
	zeros := 0
	for !r.flag() {
		if r.err != nil || zeros == 31 {
			r.err = errShortSPS
			return 0
		}
		zeros++
	}
	return (1<<zeros - 1) + r.u(zeros)
}

func (r *bitReader) se() { r.ue() }

// spsFullRange walks an HEVC SPS (ITU-T H.265 7.3.2.2) to its VUI's
// video_full_range_flag; an SPS without that flag says video range.
func spsFullRange(sps []byte) (bool, error) {
	r := &bitReader{b: sps}
	r.u(16) // NAL unit header
	r.u(4)  // sps_video_parameter_set_id
	maxSubLayers := int(r.u(3))
	r.u(1)               // temporal id nesting
	r.u(8 + 32 + 48 + 8) // general profile_tier_level
	profile, level := make([]bool, maxSubLayers), make([]bool, maxSubLayers)
	for i := range maxSubLayers {
		profile[i], level[i] = r.flag(), r.flag()
	}
	if maxSubLayers > 0 {
		r.u(2 * (8 - maxSubLayers))
	}
	for i := range maxSubLayers {
		if profile[i] {
			r.u(88)
		}
		if level[i] {
			r.u(8)
		}
	}
	r.ue() // sps_seq_parameter_set_id
	if r.ue() == 3 {
		r.u(1) // separate_colour_plane_flag
	}
	r.ue()        // width
	r.ue()        // height
	if r.flag() { // conformance window
		r.ue()
		r.ue()
		r.ue()
		r.ue()
	}
	r.ue() // bit_depth_luma_minus8
	r.ue() // bit_depth_chroma_minus8
	pocBits := int(r.ue()) + 4
	first := maxSubLayers
	if r.flag() { // sub_layer_ordering_info_present
		first = 0
	}
	for i := first; i <= maxSubLayers; i++ {
		r.ue()
		r.ue()
		r.ue()
	}
	for range 6 { // coding and transform block sizes, hierarchy depths
		r.ue()
	}
	if r.flag() && r.flag() { // scaling lists enabled, and given here
		skipScalingLists(r)
	}
	r.u(2)        // amp, sample adaptive offset
	if r.flag() { // pcm
		r.u(8)
		r.ue()
		r.ue()
		r.u(1)
	}
	skipShortTermRefPicSets(r, int(min(r.ue(), 64)))
	if r.flag() { // long-term reference pictures
		n := r.ue()
		for range min(n, 32) {
			r.u(pocBits + 1)
		}
	}
	r.u(2) // temporal mvp, strong intra smoothing
	full := false
	if r.flag() { // VUI
		if r.flag() { // aspect ratio
			if r.u(8) == 255 {
				r.u(32)
			}
		}
		if r.flag() { // overscan info
			r.u(1)
		}
		if r.flag() { // video signal type
			r.u(3)
			full = r.flag()
		}
	}
	return full, r.err
}

// skipScalingLists reads past scaling_list_data() (H.265 7.3.4).
func skipScalingLists(r *bitReader) {
	for size := 0; size < 4; size++ {
		step := 1
		if size == 3 {
			step = 3
		}
		for matrix := 0; matrix < 6; matrix += step {
			if !r.flag() { // scaling_list_pred_mode_flag
				r.ue()
				continue
			}
			coefs := min(64, 1<<(4+size<<1))
			if size > 1 {
				r.se()
			}
			for range coefs {
				r.se()
			}
		}
	}
}

// skipShortTermRefPicSets reads past n st_ref_pic_set()s (H.265 7.3.7),
// which video encoders (x265 among them) write even for a still picture.
// A set may be predicted from the one before it, so each one's count of
// pictures is kept.
func skipShortTermRefPicSets(r *bitReader, n int) {
	deltaPocs := make([]int, n)
	for i := range n {
		if i != 0 && r.flag() { // inter_ref_pic_set_prediction_flag
			r.u(1) // delta_rps_sign
			r.ue() // abs_delta_rps_minus1
			count := 0
			for range deltaPocs[i-1] + 1 {
				used := r.flag()
				if used || r.flag() { // use_delta_flag, 1 when absent
					count++
				}
			}
			deltaPocs[i] = count
			continue
		}
		neg, pos := min(r.ue(), 16), min(r.ue(), 16)
		for range neg + pos {
			r.ue()
			r.u(1)
		}
		deltaPocs[i] = int(neg + pos)
		if r.err != nil {
			return
		}
	}
}
