import { Segmentation2SegmentationRunner, sliceAt, tableFromColumns, tableToItem } from "algobox";
import { measure } from "algobox/image";
import { isLarge, measureLarge } from "./measure_objects/out_of_core.js";

/** Measured for every mask. */
const ALWAYS = ["label", "area", "bbox", "centroid", "equivalent_diameter", "extent", "euler_number", "orientation", "major_axis_length", "minor_axis_length"];
/** scikit-image measures these in 2-D only. */
const PLANE_ONLY = ["eccentricity", "perimeter", "solidity"];
const INTENSITY = ["intensity_mean", "intensity_min", "intensity_max", "weighted_centroid"];

/** Units of the columns (lengths in pixels). */
function unitOf(name) {
  if (name === "area") return "px²";
  if (/^(bbox|centroid|weighted_centroid)-|_length$|^equivalent_diameter$|^perimeter$/.test(name)) return "px";
  if (name === "orientation") return "rad";
  return undefined;
}

/** The unit of each column that has one (a channel suffix "-c" kept out of the lookup). */
function unitsOf(columns) {
  return Object.fromEntries(Object.keys(columns).flatMap((k) => (unitOf(k.replace(/-\d+$/, "")) ? [[k, unitOf(k.replace(/-\d+$/, ""))]] : [])));
}

/** The image to measure intensities in: the mask's source image (same Y × X), one 2-D/3-D plane per channel. */
async function intensityPlanes(runner, info, mask) {
  if (!info.sourceImage) return null;
  const [item] = await runner.fetchDataAs([info.sourceImage], "Image", "image");
  const image = item.image;
  if (image.shape.join() === mask.shape.join()) return [image];
  if (image.shape.length === mask.shape.length + 1 && image.shape.slice(1).join() === mask.shape.join()) {
    return Array.from({ length: image.shape[0] }, (_, c) => sliceAt(image, c));
  }
  await runner.logMessage(`The mask's source image has shape [${image.shape.join(", ")}], the mask [${mask.shape.join(", ")}]: intensities are not measured.`, "WARNING");
  return null;
}

/** The regionprops columns of one mask's labels (intensity columns per channel with a "-c" suffix for several channels). */
function measureLabels(labels, planes) {
  const properties = labels.shape.length === 2 ? [...ALWAYS, ...PLANE_ONLY] : ALWAYS;
  const columns = measure.regionpropsTable(labels, { properties });
  (planes ?? []).forEach((plane, c) => {
    const more = measure.regionpropsTable(labels, { intensity: plane, properties: INTENSITY });
    for (const [name, values] of Object.entries(more)) columns[planes.length > 1 ? `${name}-${c}` : name] = values;
  });
  return columns;
}

/**
 * Labels the objects of each mask and measures them; posts, per mask, its labels then its table. Masks
 * stored in several chunks (or of 64 MiB and more) are labelled and measured block by block (out_of_core.js).
 */
export class Runner extends Segmentation2SegmentationRunner {
  async preprocess(inputData) {
    const ids = inputData.inputDatasetIds ?? inputData.input_dataset_ids;
    return { ids, infos: await this.describeData(ids) };
  }

  async inference({ ids, infos }, args) {
    const connectivity = args.connectivity ?? 2;
    const background = args.background ?? 0;
    const outIds = [];
    for (let i = 0; i < ids.length; i++) {
      const lazy = await this.openArray(ids[i], "mask");
      if (isLarge(lazy)) {
        const properties = lazy.shape.length === 2 ? [...ALWAYS, ...PLANE_ONLY] : ALWAYS;
        const opts = { connectivity, background, properties, intensity: args.intensity !== false, intensityProperties: INTENSITY };
        const { labels, count, columns } = await measureLarge(this, lazy, infos[i], opts);
        this.logMessage(`Mask ${i + 1} of ${ids.length} [${lazy.shape.join(", ")}] measured out of core, ${lazy.blockCount()} blocks: ${count} object${count === 1 ? "" : "s"}.`);
        outIds.push(...(await this.postData([{ mask: labels }])));
        outIds.push(...(await this.postDataAs([tableToItem(tableFromColumns(columns, unitsOf(columns)))], "Table")));
        await this.setProgress((i + 1) / ids.length);
        continue;
      }
      const [{ mask }] = await this.fetchData([ids[i]], "mask");
      const { labels, count } = measure.label(mask, { connectivity, background });
      const planes = args.intensity === false ? null : await intensityPlanes(this, infos[i], mask);
      const columns = measureLabels(labels, planes);
      const units = unitsOf(columns);
      this.logMessage(`Mask ${i + 1} of ${ids.length}: ${count} object${count === 1 ? "" : "s"} (connectivity ${connectivity}, background ${background})${planes ? `, intensities in ${planes.length} channel${planes.length > 1 ? "s" : ""}` : ""}.`);
      outIds.push(...(await this.postData([{ mask: labels }])));
      outIds.push(...(await this.postDataAs([tableToItem(tableFromColumns(columns, units))], "Table")));
      await this.setProgress((i + 1) / ids.length);
    }
    return outIds;
  }

  async postprocess(ids) {
    return ids;
  }
}
