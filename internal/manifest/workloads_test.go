package manifest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// workloadView is a Workload as tests compare it.
type workloadView struct {
	ID          string
	Line        int
	Path        string
	IsJob       bool
	Labels      string
	Annotations string
	HostNetwork bool
	Automount   string
	SA          string
	Containers  []string // name type path line env envFrom [sidecar]
}

func viewWorkloads(ws []*Workload) []workloadView {
	var out []workloadView
	for _, w := range ws {
		v := workloadView{ID: w.ID(), Line: w.Line, Path: fmt.Sprint(w.Pod.Path), IsJob: w.IsJob,
			Labels: fmt.Sprint(w.Pod.Labels), Annotations: fmt.Sprint(w.Pod.Annotations),
			HostNetwork: w.Pod.HostNetwork, Automount: "unset", SA: w.Pod.ServiceAccountName}
		if w.Pod.AutomountServiceAccountToken != nil {
			v.Automount = fmt.Sprint(*w.Pod.AutomountServiceAccountToken)
		}
		for _, c := range w.Pod.Containers {
			s := fmt.Sprintf("%s %s %v L%d env=%s envFrom=%v", c.Name, c.Type, c.Path, w.LineOf(c.Path...),
				strings.Join(c.Env, ","), c.EnvFrom)
			if c.RestartPolicyAlways {
				s += " sidecar"
			}
			v.Containers = append(v.Containers, s)
		}
		out = append(out, v)
	}
	return out
}

func TestWorkloads(t *testing.T) {
	tests := []struct {
		fixture string
		want    []workloadView
	}{
		{"every-builtin-kind.yaml", []workloadView{
			{ID: "Pod/shop/bare", Line: 1, Path: "[]", Labels: "map[app:bare]", Annotations: "map[]", Automount: "unset", SA: "default",
				Containers: []string{"main container [spec containers 0] L7 env= envFrom=[]"}},
			{ID: "Deployment/shop/deploy", Line: 9, Path: "[spec template]", Labels: "map[app:deploy]", Annotations: "map[]", Automount: "unset", SA: "default",
				Containers: []string{"main container [spec template spec containers 0] L19 env= envFrom=[]"}},
			{ID: "StatefulSet/shop/sts", Line: 21, Path: "[spec template]", Labels: "map[]", Annotations: "map[]", Automount: "unset", SA: "default",
				Containers: []string{"main container [spec template spec containers 0] L27 env= envFrom=[]"}},
			{ID: "DaemonSet/shop/ds", Line: 29, Path: "[spec template]", Labels: "map[]", Annotations: "map[]", Automount: "unset", SA: "default",
				Containers: []string{"main container [spec template spec containers 0] L35 env= envFrom=[]"}},
			{ID: "ReplicaSet/shop/rs", Line: 37, Path: "[spec template]", Labels: "map[]", Annotations: "map[]", Automount: "unset", SA: "default",
				Containers: []string{"main container [spec template spec containers 0] L43 env= envFrom=[]"}},
			{ID: "ReplicationController/shop/rc", Line: 45, Path: "[spec template]", Labels: "map[]", Annotations: "map[]", Automount: "unset", SA: "default",
				Containers: []string{"main container [spec template spec containers 0] L51 env= envFrom=[]"}},
			{ID: "Job/shop/job", Line: 53, Path: "[spec template]", IsJob: true, Labels: "map[]", Annotations: "map[]", Automount: "unset", SA: "default",
				Containers: []string{"main container [spec template spec containers 0] L59 env= envFrom=[]"}},
			{ID: "CronJob/shop/cron", Line: 61, Path: "[spec jobTemplate spec template]", IsJob: true, Labels: "map[]",
				Annotations: "map[sidecar.istio.io/nativeSidecar:true]", Automount: "unset", SA: "default",
				Containers: []string{"main container [spec jobTemplate spec template spec containers 0] L71 env= envFrom=[]"}},
		}},
		{"custom-resources-with-pod-template.yaml", []workloadView{
			{ID: "Rollout/shop/rollout", Line: 1, Path: "[spec template]", Labels: "map[app:rollout]", Annotations: "map[]", Automount: "unset", SA: "default",
				Containers: []string{"app container [spec template spec containers 0] L12 env= envFrom=[]"}},
			{ID: "CloneSet/shop/cloneset", Line: 14, Path: "[spec template]", Labels: "map[]", Annotations: "map[]", Automount: "unset", SA: "default",
				Containers: []string{"app container [spec template spec containers 0] L22 env= envFrom=[]"}},
			{ID: "ScheduledThing/shop/scheduled", Line: 24, Path: "[spec jobTemplate spec template]", Labels: "map[]", Annotations: "map[]", Automount: "unset", SA: "default",
				Containers: []string{"task container [spec jobTemplate spec template spec containers 0] L34 env= envFrom=[]"}},
		}},
		{"null-containers.yaml", []workloadView{
			{ID: "Deployment/shop/null-containers", Line: 1, Path: "[spec template]", Labels: "map[]", Annotations: "map[]", Automount: "unset", SA: "default"},
			{ID: "Deployment/shop/no-template", Line: 15, Path: "[spec template]", Labels: "map[]", Annotations: "map[]", Automount: "unset", SA: "default"},
			{ID: "CronJob/shop/wrong-types", Line: 21, Path: "[spec jobTemplate spec template]", IsJob: true, Labels: "map[]", Annotations: "map[]", Automount: "unset", SA: "default"},
			{ID: "Rollout/shop/crd-null-containers", Line: 28, Path: "[spec template]", Labels: "map[]", Annotations: "map[]", Automount: "unset", SA: "default"},
			{ID: "StatefulSet/shop/odd-items", Line: 37, Path: "[spec template]", Labels: "map[]", Annotations: "map[]", Automount: "unset", SA: "default",
				Containers: []string{"real container [spec template spec containers 2] L47 env= envFrom=[]"}},
		}},
		{"not-workloads.yaml", nil},
		{"pod-template-fields.yaml", []workloadView{
			{ID: "Deployment/payments/api", Line: 1, Path: "[spec template]", Labels: "map[app:api canary:true version:2]",
				Annotations: "map[sidecar.istio.io/inject:false]", HostNetwork: true, Automount: "false", SA: "api-sa",
				Containers: []string{
					"istio-proxy-native init [spec template spec initContainers 0] L20 env= envFrom=[] sidecar",
					"setup init [spec template spec initContainers 1] L22 env= envFrom=[]",
					"api container [spec template spec containers 0] L24 env=A,B envFrom=[{ConfigMap api-config CFG_ false} {Secret api-secrets  true}]",
				}},
			{ID: "Deployment/shop/legacy-sa", Line: 36, Path: "[spec template]", Labels: "map[]", Annotations: "map[]", Automount: "true", SA: "legacy",
				Containers: []string{"app container [spec template spec containers 0] L45 env= envFrom=[]"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			set := buildFixture(t, "testdata/workloads/"+tt.fixture)
			diff(t, "workloads", viewWorkloads(set.Workloads), tt.want)
		})
	}
}

// A bare Pod's template is the Pod itself: its Path is nil, so container
// paths start at "spec".
func TestWorkloadBarePodPath(t *testing.T) {
	set := buildFixture(t, "testdata/workloads/every-builtin-kind.yaml")
	if p := set.Workloads[0].Pod.Path; p != nil {
		t.Errorf("bare Pod template Path = %#v, want nil", p)
	}
}

// TestContainerRunAsUser: a numeric securityContext.runAsUser is read (kuma
// rejects its sidecar's UID); a string or none leaves it nil. The image is
// read as written (linkerd takes some images for a sidecar).
func TestContainerRunAsUser(t *testing.T) {
	set := buildFixture(t, "testdata/workloads/run-as-user.yaml")
	var got []string
	for _, c := range set.Workloads[0].Pod.Containers {
		u := "nil"
		if c.RunAsUser != nil {
			u = strconv.FormatInt(*c.RunAsUser, 10)
		}
		got = append(got, c.Name+"="+u+"@"+c.Image)
	}
	if want := "setup=nil@cr.l5d.io/linkerd/proxy-init:v2.4.0 app=5678@ plain=nil@"; strings.Join(got, " ") != want {
		t.Errorf("RunAsUser: %s, want %s", strings.Join(got, " "), want)
	}
}
