export interface TarMember {
    /** Path inside the archive, without a leading `./`. */
    name: string;
    data: Buffer;
}
export interface ReadTarOptions {
    /** Which members to keep (by normalised name). */
    want: (name: string) => boolean;
    /** Largest member kept (bytes); bigger wanted members are an error. Default 256 MiB. */
    maxMemberBytes?: number;
}
/** Members of `file` for which `want(name)` is true, in archive order. */
export declare function readTarMembers(file: string, options: ReadTarOptions): Promise<TarMember[]>;
