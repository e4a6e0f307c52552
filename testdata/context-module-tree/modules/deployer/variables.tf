variable "pass_resource" {
  type = string
}
