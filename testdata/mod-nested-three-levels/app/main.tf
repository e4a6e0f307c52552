variable "role" {}

module "workflow" {
  source        = "./workflow"
  machine_role  = var.role
}
