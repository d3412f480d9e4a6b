package check

import (
	"strconv"

	"github.com/meshgate/meshgate/internal/config"
)

// The mesh.install settings and mesh.injectByDefault as the tables read
// them: the configured value, else the upstream default of the provider
// at the configured version.
const (
	meshSettingAutoInject            = "autoInject"
	meshSettingInjectByDefault       = "injectByDefault"
	meshSettingTokenProjection       = "serviceAccountTokenProjection"
	meshSettingAllowNamespaces       = "allowNamespaces"
	meshSettingDenyNamespaces        = "denyNamespaces"
	meshSettingNeverInject           = "neverInjectSelector"
	meshSettingAlwaysInject          = "alwaysInjectSelector"
	meshSettingControlPlaneNamespace = "controlPlaneNamespace"
)

// meshInstallValue is a boolean or string setting in force, spelt as in
// the config ("true", "false", a namespace).
func meshInstallValue(c meshCtx, setting string) string {
	in := c.mesh.Install
	switch setting {
	case meshSettingAutoInject:
		return meshBoolOr(in.AutoInject, true)
	case meshSettingInjectByDefault:
		return strconv.FormatBool(c.mesh.InjectByDefault)
	case meshSettingTokenProjection:
		return meshBoolOr(in.ServiceAccountTokenProjection, c.version.Compare(meshLinkerdProjectionSince) >= 0)
	case meshSettingNeverInject, meshSettingAlwaysInject:
		if len(meshInstallSelectors(c, setting)) > 0 {
			return "set"
		}
		return ""
	case meshSettingControlPlaneNamespace:
		if in.ControlPlaneNamespace != "" {
			return in.ControlPlaneNamespace
		}
		return meshKumaControlPlaneNamespace
	}
	return ""
}

func meshBoolOr(b *bool, def bool) string {
	if b != nil {
		return strconv.FormatBool(*b)
	}
	return strconv.FormatBool(def)
}

// meshInstallList is a namespace list in force; "*" stands for every
// namespace. Consul's allow list defaults to ["*"] and an empty one allows
// none; kuma's namespaceAllowList allows every namespace when empty.
func meshInstallList(c meshCtx, setting string) []string {
	in := c.mesh.Install
	switch setting {
	case meshSettingAllowNamespaces:
		if in.AllowNamespaces == nil || c.mesh.Provider == config.ProviderKuma && len(in.AllowNamespaces) == 0 {
			return []string{"*"}
		}
		return in.AllowNamespaces
	case meshSettingDenyNamespaces:
		return in.DenyNamespaces
	}
	return nil
}

// meshInstallSelectors is istio's never or always inject selector list.
func meshInstallSelectors(c meshCtx, setting string) []config.LabelSelector {
	if setting == meshSettingNeverInject {
		return c.mesh.Install.NeverInjectSelector
	}
	return c.mesh.Install.AlwaysInjectSelector
}

// meshInstallExceptions is kuma's exception labels in force.
func meshInstallExceptions(c meshCtx) map[string]string {
	if e := c.mesh.Install.ExceptionLabels; e != nil {
		return e
	}
	return meshKumaDefaultExceptions
}
