// The emulator's mutable state, shared by all its services.
import { IamPropagation, secretResource, serviceAccountResource } from './iam/propagation.js';
import type {
  IamBinding,
  PoolModel,
  ProjectModel,
  ProviderModel,
  SecretModel,
  ServiceAccountModel,
} from './model.js';

export class EmulatorStore {
  readonly projects = new Map<string, ProjectModel>();
  readonly providers: ProviderModel[] = [];
  /** Pools created through the API; a provider of the config implies its pool. */
  readonly pools: PoolModel[] = [];
  readonly serviceAccounts = new Map<string, ServiceAccountModel>();
  /** Keyed by `secretKey(projectNumber, secretId, location)`. */
  readonly secrets = new Map<string, SecretModel>();
  /** Binding changes made while the emulator runs, and when each takes effect. */
  readonly iam = new IamPropagation();

  addProject(project: ProjectModel): void {
    this.projects.set(project.id, project);
  }

  /** Resolves a project id or number to the project number, or undefined if unknown. */
  projectNumber(idOrNumber: string): string | undefined {
    if (/^\d+$/.test(idOrNumber)) {
      for (const p of this.projects.values()) if (p.number === idOrNumber) return p.number;
      return undefined;
    }
    return this.projects.get(idOrNumber)?.number;
  }

  /** True when the pool was created, or a provider of the config lives in it. */
  hasPool(projectNumber: string, poolId: string): boolean {
    const match = (p: { projectNumber: string; poolId: string }): boolean =>
      p.projectNumber === projectNumber && p.poolId === poolId;
    return this.pools.some(match) || this.providers.some(match);
  }

  findProvider(
    projectNumber: string,
    poolId: string,
    providerId: string,
  ): ProviderModel | undefined {
    return this.providers.find(
      (p) =>
        p.projectNumber === projectNumber && p.poolId === poolId && p.providerId === providerId,
    );
  }

  /** The bindings of a secret that permission checks see at `now` (IAM propagation). */
  secretBindings(secret: SecretModel, now: number): readonly IamBinding[] {
    const key = secretKey(secret.projectNumber, secret.secretId, secret.location);
    return this.iam.effective(secretResource(key), secret.bindings, now);
  }

  /** The bindings of a service account that permission checks see at `now`. */
  serviceAccountBindings(sa: ServiceAccountModel, now: number): readonly IamBinding[] {
    return this.iam.effective(serviceAccountResource(sa.email), sa.bindings, now);
  }

  /** Replaces a secret's policy; the change propagates (store.iam) before checks see it. */
  setSecretBindings(secret: SecretModel, bindings: IamBinding[], now: number): void {
    const key = secretKey(secret.projectNumber, secret.secretId, secret.location);
    if (!sameBindings(secret.bindings, bindings)) {
      this.iam.record(secretResource(key), secret.bindings, bindings, now);
    }
    secret.bindings = bindings;
  }

  /** Replaces a service account's policy; the change propagates like a secret's. */
  setServiceAccountBindings(email: string, bindings: IamBinding[], now: number): void {
    const sa = this.serviceAccounts.get(email);
    if (sa === undefined) return;
    if (!sameBindings(sa.bindings, bindings)) {
      this.iam.record(serviceAccountResource(email), sa.bindings, bindings, now);
    }
    this.serviceAccounts.set(email, { ...sa, bindings });
  }
}

/** Same roles with the same members, whatever the order. */
export function sameBindings(a: readonly IamBinding[], b: readonly IamBinding[]): boolean {
  const flat = (list: readonly IamBinding[]): string =>
    JSON.stringify(list.flatMap((x) => x.members.map((m) => `${x.role} ${m}`)).sort());
  return flat(a) === flat(b);
}

export function secretKey(projectNumber: string, secretId: string, location?: string): string {
  return `${projectNumber}/${location ?? 'global'}/${secretId}`;
}
