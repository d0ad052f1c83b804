package io.modelpilot.e2e.cluster;

import java.util.concurrent.CountDownLatch;

/**
 * {@code make cluster}: the local cluster (stand-in API server with the CRDs, operator, kubelet simulator, real
 * model server processes, Prometheus) in the foreground until Ctrl-C, for {@code kubectl} and other clients. Prints
 * the kubeconfig to use; the run directory (operator and pod logs) is {@code e2e/target/cluster}.
 */
public final class ClusterMain {

  private ClusterMain() {
  }

  public static void main(String[] args) throws InterruptedException {
    LocalCluster cluster = LocalCluster.builder().name("cluster").start();
    // LocalCluster closes itself on JVM shutdown (Ctrl-C): the model servers, the operator and Prometheus stop too
    System.out.println();
    System.out.println("The local cluster is up (run directory " + cluster.runDir() + "). In another shell:");
    System.out.println();
    System.out.println("  export KUBECONFIG=" + cluster.kubeconfig());
    System.out.println("  kubectl apply --server-side -f examples/cpu-model.yaml");
    System.out.println("  kubectl get modeldeployments");
    System.out.println();
    System.out.println("Prometheus: " + cluster.prometheus().url());
    System.out.println("Ctrl-C stops it.");
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
