package options

import (
	"slices"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

// commonKeys are valid in every option declaration.
var commonKeys = []string{"type", "description", "variable"}

// declare builds the option called name from its declaration m
// (the constructors of BuildStream's Option subclasses).
func (p *Pool) declare(name string, m *yamlnode.Mapping) (*option, error) {
	typ, err := p.declaredType(m)
	if err != nil {
		return nil, err
	}
	o := &option{name: name, typ: typ}
	if err := p.loadCommon(o, m); err != nil {
		return nil, err
	}
	switch typ {
	case TypeBool:
		err = p.declareBool(o, m)
	case TypeFlags, TypeElementMask:
		err = p.declareFlags(o, m)
	default:
		err = p.declareEnum(o, m)
	}
	if err != nil {
		return nil, err
	}
	return o, nil
}

func (p *Pool) declaredType(m *yamlnode.Mapping) (string, error) {
	r := reader{p.gen}
	sc, err := r.scalar(m, "type", "str", true)
	if err != nil {
		return "", err
	}
	typ := sc.Str()
	if sc.Null {
		typ = "None"
	}
	if p.gen == Gen1 {
		switch typ {
		case TypeBool, TypeEnum, TypeFlags, TypeElementMask, TypeArch:
			return typ, nil
		}
		return "", invalid(&sc.P, "Invalid option type '%s'", typ)
	}
	if sc.Null || !slices.Contains(gen2Types, typ) {
		return "", invalid(&sc.P, "Value of 'type' should be one of '%s'", strings.Join(gen2Types, ", "))
	}
	return typ, nil
}

// loadCommon is Option.load: a description is required, a variable is
// optional and must be a symbol name.
func (p *Pool) loadCommon(o *option, m *yamlnode.Mapping) error {
	r := reader{p.gen}
	if _, _, _, err := r.str(m, "description", true); err != nil {
		return err
	}
	v, present, none, err := r.str(m, "variable", false)
	if err != nil || !present || none {
		return err
	}
	prov := m.Get("variable").Pos()
	if err := yamlnode.AssertSymbolName(prov, v, "variable name", true); err != nil {
		return err
	}
	o.variable, o.varProv = v, *prov
	return nil
}

func (p *Pool) declareBool(o *option, m *yamlnode.Mapping) error {
	if err := m.ValidateKeys(append(commonKeys, "default")...); err != nil {
		return err
	}
	var err error
	o.b, o.none, err = reader{p.gen}.boolean(m, "default")
	return err
}

func (p *Pool) declareEnum(o *option, m *yamlnode.Mapping) error {
	keys := append(commonKeys, "values")
	if o.typ == TypeEnum {
		keys = append(keys, "default")
	}
	if err := m.ValidateKeys(keys...); err != nil {
		return err
	}
	r := reader{p.gen}
	values, valuesNode, err := r.strList(m, "values", false)
	if err != nil {
		return err
	}
	if len(values) == 0 {
		return invalid(&m.P, "No values specified for %s option '%s'", o.typ, o.name)
	}
	o.values = values
	switch o.typ {
	case TypeEnum:
		s, _, none, err := r.str(m, "default", true)
		if err != nil {
			return err
		}
		if err := o.validateEnum(s, none, m.Get("default").Pos()); err != nil {
			return err
		}
		o.s, o.none = s, none
	case TypeOS:
		o.s = p.host.OS
	case TypeArch:
		if p.gen == Gen1 {
			o.s = p.host.Arch
			return nil
		}
		return p.archDefault(o, valuesNode.(*yamlnode.Sequence))
	}
	return nil
}

// archDefault picks a generation 2 arch option's default: the first value
// naming the host's architecture, else the host's canonical name (which
// Resolve rejects unless a value was given).
func (p *Pool) archDefault(o *option, values *yamlnode.Sequence) error {
	host, err := p.host.hostArch()
	if err != nil {
		return err
	}
	def := ""
	for i, v := range o.values {
		c, ok := CanonicalArch(v)
		if !ok {
			return invalid(values.Items[i].Pos(), "Invalid value for %s option '%s': %s", o.typ, o.name, unknownArch(v))
		}
		if def == "" && c == host {
			def = v
		}
	}
	if def == "" {
		def = host
	}
	o.s = def
	return nil
}

func (p *Pool) declareFlags(o *option, m *yamlnode.Mapping) error {
	keys := append(commonKeys, "default")
	if o.typ == TypeFlags {
		keys = append(keys, "values")
	}
	if err := m.ValidateKeys(keys...); err != nil {
		return err
	}
	r := reader{p.gen}
	if o.typ == TypeFlags {
		values, _, err := r.strList(m, "values", false)
		if err != nil {
			return err
		}
		o.values = values
	} else {
		values, err := p.elementNames()
		if err != nil {
			return err
		}
		o.values = values
	}
	if len(o.values) == 0 {
		return invalid(&m.P, "No values specified for %s option '%s'", o.typ, o.name)
	}
	def, defNode, err := r.strList(m, "default", false)
	if err != nil {
		return err
	}
	var prov *bsterr.Provenance
	if defNode != nil {
		prov = defNode.Pos()
	}
	if err := o.validateFlags(def, prov); err != nil {
		return err
	}
	o.list = def
	if o.list == nil {
		o.list = []string{}
	}
	return nil
}

// elementNames lists the element names an element-mask option accepts,
// once per pool.
func (p *Pool) elementNames() ([]string, error) {
	if p.elements == nil {
		return nil, nil
	}
	if !p.elementsListed {
		names, err := p.elements()
		if err != nil {
			return nil, err
		}
		p.elementList, p.elementsListed = names, true
	}
	return p.elementList, nil
}
