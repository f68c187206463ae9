// The names of a bundle's template (TemplateButton.tsx): apart from bundleTemplate.ts, which loads
// with fflate and smol-toml on the first click, not with the first screen.
export const templateName = (name: string): string => `my_${name}`;

export const templateZipName = (alg: { name: string; version: string }): string => `${templateName(alg.name)}-${alg.version}-template.zip`;
