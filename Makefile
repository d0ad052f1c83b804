# ModelPilot: the commands every user and script can rely on (see README.md).
MVN := ./mvnw -B

.PHONY: test crds build clean

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
