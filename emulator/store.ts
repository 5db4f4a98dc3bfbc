// The emulator's mutable state, shared by all its services.
import type { ProjectModel, ProviderModel, SecretModel, ServiceAccountModel } from './model.js';

export class EmulatorStore {
  readonly projects = new Map<string, ProjectModel>();
  readonly providers: ProviderModel[] = [];
  readonly serviceAccounts = new Map<string, ServiceAccountModel>();
  /** Keyed by `secretKey(projectNumber, secretId, location)`. */
  readonly secrets = new Map<string, SecretModel>();

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
}

export function secretKey(projectNumber: string, secretId: string, location?: string): string {
  return `${projectNumber}/${location ?? 'global'}/${secretId}`;
}
