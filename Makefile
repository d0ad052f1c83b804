# ModelPilot: the commands every user and script can rely on (see README.md).
MVN := ./mvnw -B

.PHONY: demo cluster test crds build clean

## demo: the local cluster: an autoscaled model under rising then falling load with a canary rolled back, then a TuningJob whose winner ships as a canary, narrated (DEMO_SECONDS=240)
demo:
	@.ci/install-packages prometheus
	$(MVN) -q package dependency:build-classpath -DskipTests -Dmdep.outputFile=target/classpath.txt -pl e2e -am
	java -Xmx384m -XX:+UseSerialGC -Dorg.slf4j.simpleLogger.log.io.modelpilot.e2e=warn \
	  -cp "e2e/target/classes:$$(cat e2e/target/classpath.txt)" io.modelpilot.e2e.demo.Demo

## cluster: the local cluster in the foreground (stand-in API server, operator, model servers, Prometheus) for kubectl; prints the KUBECONFIG to use, Ctrl-C stops it
cluster:
	@.ci/install-packages prometheus
	$(MVN) -q package dependency:build-classpath -DskipTests -Dmdep.outputFile=target/classpath.txt -pl e2e -am
	java -Xmx384m -XX:+UseSerialGC -Dorg.slf4j.simpleLogger.log.io.modelpilot.e2e=warn \
	  -cp "e2e/target/classes:$$(cat e2e/target/classpath.txt)" io.modelpilot.e2e.cluster.ClusterMain

## test: every test, as CI runs them (./mvnw -B verify)
test:
	$(MVN) verify

## crds: regenerate the CRDs from the Java API classes into crds/ and helm/modelpilot/crds/
crds:
	$(MVN) -q -pl operator -am process-classes -DskipTests
	cp operator/target/crds/*.yml crds/
	cp operator/target/crds/*.yml helm/modelpilot/crds/

## build: the operator application, without tests
build:
	$(MVN) package -DskipTests

clean:
	$(MVN) -q clean
