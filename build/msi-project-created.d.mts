/** Types of msi-project-created.mjs (for the TypeScript tests). */
export declare const DATA_DIR_SDDL: string;
export declare const KEYS_DIR_SDDL: string;
export declare function editProject(xml: string): string;
export default function msiProjectCreated(projectFile: string): Promise<void>;
